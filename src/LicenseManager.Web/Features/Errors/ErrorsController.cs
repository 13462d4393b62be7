using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Features.Errors;

/// <summary>One error page style for the UI; the API answers ProblemDetails instead.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken] // re-executed for failed POSTs too
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class ErrorsController : Controller
{
    [Route("error/{code:int}")]
    public IActionResult Status([FromRoute] int code)
    {
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        // The status the failed request really had. The route value alone is not enough: when binding fails it is 0, and a
        // status of 0 written by Kestrel is the broken "HTTP/1.1 0" response a NUL in a form field used to give.
        var status = original?.OriginalStatusCode ?? code;
        if (status is < 400 or > 599) status = code is >= 400 and <= 599 ? code : 500;
        if (original?.OriginalPath.StartsWith("/api", StringComparison.OrdinalIgnoreCase) == true)
            return Infrastructure.ApiProblem.Result(status, status switch
            {
                404 => "not_found", 405 => "method_not_allowed", 401 => "unauthorized", 403 => "forbidden", 415 => "unsupported_media_type", _ => "error_" + status,
            }, status == 404 ? "No such API endpoint." : "The request could not be handled.");
        Response.StatusCode = status;
        ViewData["Title"] = status switch { 403 => "Not allowed", 404 => "Not found", _ => "Something went wrong" };
        return status switch
        {
            403 => View("Forbidden"),
            404 => View("NotFound"),
            _ => View("Error", status),
        };
    }

    [Route("error")]
    public IActionResult Error()
    {
        var feature = HttpContext.Features.Get<IExceptionHandlerPathFeature>();
        if (feature?.Path.StartsWith("/api", StringComparison.OrdinalIgnoreCase) == true)
            return Infrastructure.ApiProblem.Result(500, "internal_error", "An unexpected error occurred.");
        Response.StatusCode = 500;
        ViewData["Title"] = "Something went wrong";
        return View("Error", 500);
    }
}
