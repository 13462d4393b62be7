using FluentValidation;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Alerts;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Features.Dashboard;
using LicenseManager.Web.Features.Demo;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Leads;
using LicenseManager.Web.Features.Licenses;
using LicenseManager.Web.Features.Packages;
using LicenseManager.Web.Features.SignIn;
using LicenseManager.Web.Features.Tokens;
using LicenseManager.Web.Features.Transfer;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using LicenseManager.Web.Jobs;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web;

public static class LicenseManagerSetup
{
    public static WebApplicationBuilder AddLicenseManager(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Host start-up failures are reported by Program as one line; the host's own stack trace adds nothing.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        services.AddOptions<LmaOptions>().BindConfiguration(LmaOptions.Section).ValidateDataAnnotations()
            .Validate(LmaOptions.NestedValuesAreValid, "Lma:Admin:Email is not an email address.").ValidateOnStart();
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
        services.AddMemoryCache();
        // Each feature registers its own services (and says which of them need the job server).
        services.AddInstalls(lma);
        services.AddPackages();
        services.AddLicenses();
        services.AddScoped<LeadConversion>();
        services.AddScoped<Features.Admin.CreateUser>();
        services.AddApiKeys(configuration);
        services.AddTokens();
        services.AddAlerts();
        services.AddTransfer();
        services.AddDashboard();
        services.AddScoped<DemoDataSeeder>();
        // A missing registration fails at start-up, not on the first request that needs it.
        builder.Host.UseDefaultServiceProvider(o => { o.ValidateOnBuild = true; o.ValidateScopes = true; });

        // Validators hold no state (rules are built once, in the constructor): one instance each, not one per request
        // (building the install event's rules took more time than checking them, on the ingest endpoint's hot path).
        services.AddValidatorsFromAssemblyContaining<LmaOptions>(ServiceLifetime.Singleton, includeInternalTypes: true);
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
        // After AddControllers: its own ApiBehaviorOptions defaults would otherwise replace the API's problem shape.
        services.AddLmaApi();
        return builder;
    }

    public static WebApplication UseLicenseManager(this WebApplication app)
    {
        app.UseSecurityHeaders(ApiSetup.ReferencePath, JobsSetup.DashboardPath);
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
        // After authorization: the API's rate limiter partitions by the API key that authorization authenticated.
        app.UseRateLimiter();
        app.MapJsonWebKeySet();
        app.MapLmaApiReference();
        app.UseMiddleware<MustChangePasswordMiddleware>();
        app.MapHealthChecks("/health/live").AllowAnonymous();
        app.UseLmaJobs();
        app.MapControllers();
        app.MapDefaultControllerRoute();
        return app;
    }
}
