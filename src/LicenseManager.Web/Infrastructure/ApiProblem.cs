using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure;

/// <summary>The one ProblemDetails shape of the API: a stable machine-readable `code` beside the human text.</summary>
public static class ApiProblem
{
    public static ObjectResult Result(int status, string code, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        ProblemDetails problem = errors is { Count: > 0 }
            ? new ValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail }
            : new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        return new ObjectResult(problem) { StatusCode = status, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>The code of a problem the framework raised itself, by status.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        412 => "precondition_failed",
        413 => "body_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        >= 500 => "server_error",
        _ => "error",
    };
}
