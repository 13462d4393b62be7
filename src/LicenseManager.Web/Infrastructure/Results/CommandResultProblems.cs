using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure.Results;

/// <summary>A command's refusal as the API's ProblemDetails: the one place that picks the status and carries the codes.</summary>
public static class CommandResultProblems
{
    public const string ValidationFailed = "validation_failed";

    /// <summary>
    /// Invalid: 422 with the messages by field and every violation's code; not found: 404; conflict: 412, because the
    /// API's writes are conditional on the ETag the caller read (If-Match), and a conflict means that precondition failed.
    /// </summary>
    /// <param name="title">The problem's title for a conflict or not-found (the API's words for its resource).</param>
    /// <param name="detail">The API's own explanation instead of the handler's (which speaks to the page's user).</param>
    public static ObjectResult ToProblem(this CommandResult result, string? title = null, string? detail = null)
    {
        var violation = result.Violations.Count > 0 ? result.Violations[0] : throw new InvalidOperationException("A successful command has no problem to show.");
        return result.Status switch
        {
            CommandStatus.NotFound => ApiProblem.Result(404, violation.Code, title ?? "Not found.", detail ?? violation.Message),
            CommandStatus.Conflict => ApiProblem.Result(412, violation.Code, title ?? "The record changed since you read it.", detail ?? violation.Message),
            _ => Violations(422, result.Violations),
        };
    }

    /// <summary>Rule violations by field, with each violation's stable code (a single one's code is the problem's code).</summary>
    public static ObjectResult Violations(int status, IReadOnlyList<Core.Domain.RuleViolation> violations)
    {
        var errors = violations.GroupBy(v => FieldName(v.Field)).ToDictionary(g => g.Key, g => g.Select(v => v.Message).ToArray());
        var code = violations.Count == 1 ? violations[0].Code : ValidationFailed;
        var result = ApiProblem.Result(status, code, violations.Count == 1 ? violations[0].Message : "The request breaks license rules.", null, errors);
        ((ProblemDetails)result.Value!).Extensions["violations"] = violations.Select(v => new { field = FieldName(v.Field), code = v.Code, message = v.Message }).ToArray();
        return result;
    }

    /// <summary>The API's JSON names: camelCase, as the request bodies spell the fields.</summary>
    private static string FieldName(string field) => field.Length == 0 ? "" : char.ToLowerInvariant(field[0]) + field[1..];
}
