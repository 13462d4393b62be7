using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Tests.Web;

/// <summary>The one result type's two mappings, without a database: to the API's ProblemDetails and to the page's ModelState.</summary>
public sealed class CommandResultMappingTests
{
    private static readonly RuleViolation Seats = new("Seats", LicenseRules.Codes.SeatsOutOfRange, "Seats must be a whole number from 1 to 99,000,000, or Site License.");
    private static readonly RuleViolation Status = new("Status", LicenseRules.Codes.StatusNotAllowed, "New licenses start as Trial or Active.");

    [Fact]
    public void Rule_violations_are_422_by_camel_case_field_with_each_code()
    {
        var one = (ProblemDetails)CommandResult.Invalid([Seats]).ToProblem().Value!;
        Assert.Equal(422, one.Status);
        Assert.Equal(LicenseRules.Codes.SeatsOutOfRange, one.Extensions["code"]);
        Assert.Equal(Seats.Message, ((ValidationProblemDetails)one).Errors["seats"][0]);

        var two = CommandResult.Invalid([Seats, Status]).ToProblem();
        var problem = (ValidationProblemDetails)two.Value!;
        Assert.Equal(422, two.StatusCode);
        Assert.Equal("validation_failed", problem.Extensions["code"]);
        Assert.Equal(["seats", "status"], problem.Errors.Keys.Order());
        Assert.Equal(2, ((Array)problem.Extensions["violations"]!).Length);
    }

    [Fact]
    public void Not_found_is_404_and_a_conflict_412_each_with_its_code()
    {
        var missing = CommandResult<License>.NotFound("license_not_found", "There is no license 7.").ToProblem("No license found.");
        Assert.Equal(404, missing.StatusCode);
        Assert.Equal("license_not_found", ((ProblemDetails)missing.Value!).Extensions["code"]);
        Assert.Equal("There is no license 7.", ((ProblemDetails)missing.Value!).Detail);

        var stale = CommandResult.Conflict("concurrency_conflict", "Someone else changed it.").ToProblem();
        Assert.Equal(412, stale.StatusCode);
        Assert.Equal("concurrency_conflict", ((ProblemDetails)stale.Value!).Extensions["code"]);
    }

    [Fact]
    public void On_the_page_each_message_is_at_its_field_and_the_binders_messages_are_replaced()
    {
        foreach (var (result, status) in new (CommandResult, int)[]
        {
            (CommandResult.Invalid([Seats, Status]), 422),
            (CommandResult.Conflict("concurrency_conflict", "Someone else changed it."), 409),
        })
        {
            var controller = new PageController { ControllerContext = new() { HttpContext = new DefaultHttpContext() } };
            controller.ModelState.AddModelError("Seats", "The value 'abc' is not valid for Seats.");
            result.ShowOn(controller);
            Assert.Equal(status, controller.Response.StatusCode);
            foreach (var v in result.Violations) Assert.Equal(v.Message, Assert.Single(controller.ModelState[v.Field]!.Errors).ErrorMessage);
            Assert.Equal(result.Violations.Count, controller.ModelState.ErrorCount);
        }
    }

    [Fact]
    public void A_refusal_needs_a_reason()
    {
        Assert.Throws<ArgumentException>(() => CommandResult.Invalid([]));
        Assert.Throws<InvalidOperationException>(() => CommandResult.Ok.ToProblem());
    }

    private sealed class PageController : Controller;
}
