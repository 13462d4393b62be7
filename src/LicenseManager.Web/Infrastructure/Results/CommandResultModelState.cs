using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure.Results;

/// <summary>A command's refusal on the page: each message at its field (the form's own "" summary for the whole form).</summary>
public static class CommandResultModelState
{
    /// <summary>
    /// Replaces the binder's messages with the command's (the validator re-checks what didn't bind, in the product's
    /// words) and sets the answer's status: 422 for rule violations, 409 for a conflict, 404 for a record that's gone.
    /// </summary>
    public static void ShowOn(this CommandResult result, Controller controller)
    {
        controller.ModelState.Clear();
        foreach (var v in result.Violations) controller.ModelState.AddModelError(v.Field, v.Message);
        controller.Response.StatusCode = result.Status switch
        {
            CommandStatus.Succeeded => StatusCodes.Status200OK,
            CommandStatus.NotFound => StatusCodes.Status404NotFound,
            CommandStatus.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
    }
}
