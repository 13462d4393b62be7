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
        var status = code;
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        if (original?.OriginalPath.StartsWith("/api", StringComparison.OrdinalIgnoreCase) == true)
            return Problem(statusCode: status);
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
            return Problem(statusCode: 500, title: "An unexpected error occurred.");
        Response.StatusCode = 500;
        ViewData["Title"] = "Something went wrong";
        return View("Error", 500);
    }
}
