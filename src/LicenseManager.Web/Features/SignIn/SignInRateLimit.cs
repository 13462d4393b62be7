using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.SignIn;

public static class ClientAddress
{
    /// <summary>
    /// The caller's address as the sign-in limits see it. Behind a reverse proxy this is the proxy unless forwarded headers
    /// are enabled (ASPNETCORE_FORWARDEDHEADERS_ENABLED=true), and then every client would share one budget.
    /// </summary>
    /// An IPv6 client counts by its /64 network: one subscriber line gets a whole /64, so counting each address apart would
    /// hand a stranger 2^64 fresh budgets.
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } a => a.MapToIPv4().ToString(),
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } a => Network64(a),
        var a => a.ToString(),
    };

    private static string Network64(System.Net.IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }
}

/// <summary>
/// At most <see cref="SignInRateLimitOptions.PermitLimit"/> login posts per client address per window, on each
/// node (N nodes behind a balancer allow up to N times as many). Past it the login page answers 429 with a message.
/// </summary>
public sealed class SignInRateLimitPolicy(IOptions<SignInLimitOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "sign-in";

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetFixedWindowLimiter(ClientAddress.Of(httpContext), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.RateLimit.PermitLimit,
            Window = options.Value.RateLimit.Window,
            QueueLimit = 0,
        });

    // This policy's own answer: the API's rejection handler writes ProblemDetails, a person needs the login page.
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.Value.RateLimit.Window;
        var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var metadata = http.RequestServices.GetRequiredService<IModelMetadataProvider>();
        var viewData = new ViewDataDictionary<SignInController.LoginInput>(metadata, new ModelStateDictionary())
        {
            Model = new SignInController.LoginInput { Email = form?["Email"].ToString() ?? "", ReturnUrl = form?["ReturnUrl"].ToString() },
            ["Title"] = "Log in",
        };
        viewData.ModelState.AddModelError("", $"Too many sign-in attempts from your network address. Try again in {minutes} minute{(minutes == 1 ? "" : "s")}.");
        var view = new ViewResult { ViewName = "~/Features/SignIn/Login.cshtml", ViewData = viewData, StatusCode = StatusCodes.Status429TooManyRequests };
        var executor = http.RequestServices.GetRequiredService<IActionResultExecutor<ViewResult>>();
        await executor.ExecuteAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()), view);
    }
}

public static class SignInSetup
{
    public static IServiceCollection AddLmaSignIn(this IServiceCollection services)
    {
        services.AddOptions<SignInLimitOptions>().BindConfiguration(SignInLimitOptions.Section).ValidateDataAnnotations()
            .ValidateOnStart();
        // Data annotations don't reach the nested section, nor compare two settings: checked here, still at start-up.
        services.AddSingleton<IValidateOptions<SignInLimitOptions>, SignInOptionsValidation>();
        services.AddScoped<PasswordSignIn>();
        // The limiter middleware itself is added once, in UseLicenseManager after authorization; this adds the login's policy.
        services.AddRateLimiter(o => o.AddPolicy<string, SignInRateLimitPolicy>(SignInRateLimitPolicy.Name));
        return services;
    }
}

internal sealed class SignInOptionsValidation : IValidateOptions<SignInLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInLimitOptions options) =>
        SignInLimitOptions.Problem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
