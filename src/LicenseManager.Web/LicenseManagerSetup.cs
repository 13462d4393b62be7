using FluentValidation;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Alerts;
using LicenseManager.Web.Features.Api;
using LicenseManager.Web.Features.Demo;
using LicenseManager.Web.Features.SignIn;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Razor;

namespace LicenseManager.Web;

public static class LicenseManagerSetup
{
    public static WebApplicationBuilder AddLicenseManager(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Host start-up failures are reported by Program as one line; the host's own stack trace adds nothing.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        services.AddOptions<LmaOptions>().BindConfiguration(LmaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var lma = configuration.GetSection(LmaOptions.Section).Get<LmaOptions>() ?? new LmaOptions();
        var dataDirectory = lma.ResolveDataDirectory(builder.Environment.ContentRootPath);

        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddScoped<IActorAccessor, HttpActorAccessor>();

        var settings = DatabaseSetup.ResolveDatabase(configuration, dataDirectory);
        services.AddLmaDatabase(settings);
        services.AddLmaIdentity();
        services.AddLmaSignIn();
        services.AddHostedService<DatabaseInitializer>();
        services.AddLmaJobs(settings, lma);
        services.AddScoped<DemoDataSeeder>();
        services.AddScoped<Features.Leads.LeadConversion>();
        services.AddScoped<Features.Admin.CreateUser>();
        services.AddScoped<Features.Licenses.ModifyLicense>();
        services.AddScoped<Features.Transfer.LmaExporter>();
        services.AddScoped<Features.Transfer.LmaImporter>();
        services.AddAlerts();
        services.AddMemoryCache();
        services.AddScoped<Features.Dashboard.DashboardQueries>();
        // A missing registration fails at start-up, not on the first request that needs it.
        builder.Host.UseDefaultServiceProvider(o => { o.ValidateOnBuild = true; o.ValidateScopes = true; });

        services.AddValidatorsFromAssemblyContaining<LmaOptions>(includeInternalTypes: true);
        // Problems the framework writes (404, 405, 415 on API paths...) get a stable code like ours do.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions.TryAdd("code", ApiProblem.CodeFor(ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode)));
        services.AddControllersWithViews(o =>
            {
                o.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
                o.Filters.Add(new RefuseDuplicateJsonPropertiesFilter());
                o.Filters.Add(new SafeResultsFilter());
            })
            // Defence in depth behind RefuseDuplicateJsonPropertiesFilter: the serializer itself refuses a repeated name.
            .AddJsonOptions(o => o.JsonSerializerOptions.AllowDuplicateProperties = false)
            .AddRazorOptions(o => o.ViewLocationExpanders.Add(new FeatureViewLocationExpander()));
        services.AddHealthChecks();
        services.AddHttpSecurity();
        builder.AddLicensingApi();
        return builder;
    }

    public static WebApplication UseLicenseManager(this WebApplication app)
    {
        app.UseSecurityHeaders(LicensingApiSetup.ReferencePath, JobsSetup.DashboardPath);
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error");
            app.UseHsts();
        }
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseStaticFiles();
        app.UseMiddleware<RefuseControlCharactersInForms>();
        app.UseRouting();
        app.UseApiRouteMisses();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseLicensingApi();
        app.UseMiddleware<MustChangePasswordMiddleware>();
        app.MapHealthChecks("/health/live").AllowAnonymous();
        app.UseLmaJobs();
        app.MapControllers();
        app.MapDefaultControllerRoute();
        return app;
    }
}
