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
}
