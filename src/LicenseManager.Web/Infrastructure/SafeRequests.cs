using System.Text;
using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace LicenseManager.Web.Infrastructure;

/// <summary>Header-safe URLs: a Location header may carry only visible ASCII, so everything else is percent-encoded as UTF-8.</summary>
public static class SafeUrl
{
    /// <summary>
    /// "/licenses?q=Zoë" becomes "/licenses?q=Zo%C3%AB"; CR, LF, NUL and spaces become %0D, %0A, %00 and %20, so a value
    /// can neither break the response (Kestrel refuses such header values with a 500 after the action has run) nor add a header.
    /// Visible ASCII, '%' included, is kept: an address already encoded stays as it is.
    /// </summary>
    public static string Encode(string url)
    {
        var plain = true;
        foreach (var c in url) if (c is < '!' or > '~') { plain = false; break; }
        if (plain) return url;
        var sb = new StringBuilder(url.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(url))
        {
            if (b is >= (byte)'!' and <= (byte)'~') sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}

/// <summary>
/// Form posts whose fields carry a control character other than tab, CR and LF (a NUL above all: PostgreSQL can't store
/// it, and in a header or cookie it breaks the response). The post is not run: the request becomes a GET of the page the
/// form is on (its same-origin referrer, else the posted address), which answers 400 with the message at each such field.
/// Sits before routing, so the page is routed and authorized like any other GET.
/// </summary>
public sealed class RefuseControlCharactersInForms(RequestDelegate next)
{
    public const string RefusedFieldsKey = "lma.refused-fields";
    public const string Message = "This field contains a control character (such as NUL) that can't be saved: remove it and send the form again.";
    /// <summary>The largest URL-encoded form accepted (the transfer import is multipart and not read here).</summary>
    public const int MaxFormBytes = 1024 * 1024;

    private static async Task RefuseTooLargeAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("This form is larger than 1 MB: nothing was saved.", context.RequestAborted);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && !request.Path.StartsWithSegments("/api")
            && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Read raw, not with ReadFormAsync: the framework's form reader throws on a NUL, so antiforgery answered an empty
            // 400 and the error page, failing to read the same form for its own binding, set status 0 ("HTTP/1.1 0").
            // Bounded: the app's forms are small, and this runs before sign-in and rate limiting.
            if (request.ContentLength > MaxFormBytes)
            {
                await RefuseTooLargeAsync(context);
                return;
            }
            request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: MaxFormBytes);
            string body;
            try
            {
                using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
                body = await reader.ReadToEndAsync(context.RequestAborted);
            }
            catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
            {
                await RefuseTooLargeAsync(context); // a body without a length that went past the limit
                return;
            }
            request.Body.Position = 0;
            var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery("?" + body.Replace('+', ' '));
            var refused = form.Where(f => Ids.HasControlCharacter(f.Key) || f.Value.Any(v => Ids.HasControlCharacter(v)))
                .Select(f => Ids.HasControlCharacter(f.Key) ? "" : f.Key).Distinct().ToList();
            if (refused is { Count: > 0 })
            {
                context.Items[RefusedFieldsKey] = refused;
                var page = FormPage(request);
                request.Method = HttpMethods.Get;
                request.Path = page.Path;
                request.QueryString = page.Query;
                // The page's own action binds nothing from the refused form.
                request.ContentType = null;
                request.ContentLength = 0;
                context.Features.Set<IFormFeature>(new FormFeature(FormCollection.Empty));
            }
        }
        await next(context);
    }

    private static (PathString Path, QueryString Query) FormPage(HttpRequest request)
    {
        if (Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referrer)
            && string.Equals(referrer.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && referrer.AbsolutePath.StartsWith('/') && !referrer.AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
            return (PathString.FromUriComponent(referrer.AbsolutePath), QueryString.FromUriComponent(referrer.Query));
        return (request.Path, QueryString.Empty);
    }
}

/// <summary>
/// Every MVC result: redirects get a header-safe Location (<see cref="SafeUrl"/>), and a page shown for a refused form
/// (<see cref="RefuseControlCharactersInForms"/>) answers 400 with the message at each refused field.
/// </summary>
public sealed class SafeResultsFilter : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        switch (context.Result)
        {
            case RedirectResult redirect:
                redirect.Url = SafeUrl.Encode(redirect.Url);
                break;
            case LocalRedirectResult local:
                local.Url = SafeUrl.Encode(local.Url);
                break;
        }
        if (context.HttpContext.Items[RefuseControlCharactersInForms.RefusedFieldsKey] is List<string> refused && context.Result is ViewResult view)
        {
            foreach (var field in refused) context.ModelState.AddModelError(field, RefuseControlCharactersInForms.Message);
            view.StatusCode = StatusCodes.Status400BadRequest;
            view.ViewData["RefusedInput"] = refused.Count == 1 && refused[0].Length > 0
                ? $"The field '{refused[0]}' contains a control character (such as NUL) that can't be saved: nothing was saved. Remove it and send the form again."
                : "A field contains a control character (such as NUL) that can't be saved: nothing was saved. Remove it and send the form again.";
        }
    }

    public void OnResultExecuted(ResultExecutedContext context) { }
}
