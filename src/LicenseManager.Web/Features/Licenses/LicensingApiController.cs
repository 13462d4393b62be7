using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Features.Tokens;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>What the ISV's own app calls (scope `check`): is this user licensed, seat assignment, signed license tokens.</summary>
[ApiController]
[Route("api/v1/licenses")]
[Authorize(Policy = ApiKeyAuth.CheckPolicy)]
[EnableRateLimiting(ApiKeyAuth.RateLimitPolicy)]
[IgnoreAntiforgeryToken] // bearer keys, no cookies: nothing to forge
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status400BadRequest)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status401Unauthorized)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status403Forbidden)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status429TooManyRequests)]
[Tags(ApiContract.Tags.Licensing)]
// Services beyond the check come per action ([FromServices]): the check, the hottest endpoint, resolves nothing it doesn't use.
public sealed class LicensingApiController(LicenseCheck check) : ControllerBase
{
    public sealed record SeatResource(string UserId, DateTime AssignedAt, string AssignedBy);
    public sealed record SeatListResource(LicenseSummary License, int? AvailableSeats, IReadOnlyList<SeatResource> Seats);
    public sealed record TokenResource(string Token, string TokenType, DateTime ExpiresAt, string KeyId);

    /// <summary>Is this org (and user) licensed for the package? isCurrentUserLicensed.</summary>
    [HttpGet("check")]
    [EndpointName("checkLicense")]
    [RequiredQuery("packageId", "orgId")]
    [EndpointSummary("Check a license (isCurrentUserLicensed)")]
    [ProducesResponseType(typeof(LicenseCheckAnswer), StatusCodes.Status200OK)]
    public async Task<IActionResult> Check([FromQuery] string? packageId, [FromQuery] string? orgId, [FromQuery] string? userId, CancellationToken ct)
    {
        if (ApiInput.Ids(packageId, orgId, userId) is { } bad) return bad;
        if (!User.MayUsePackage(packageId!)) return ApiInput.PackageNotAllowed(packageId!);
        return Ok(await check.CheckAsync(packageId!, orgId!, userId, ct));
    }

    [HttpGet("{packageId}/{orgId}/seats")]
    [EndpointName("listSeats")]
    [EndpointSummary("List the users who hold a seat")]
    [ProducesResponseType(typeof(SeatListResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    public async Task<IActionResult> ListSeats(string packageId, string orgId, [FromServices] SeatAssignments seats, CancellationToken ct)
    {
        if (Refuse(packageId, orgId, null) is { } refused) return refused;
        var list = await seats.ListAsync(packageId, orgId, ct);
        if (list is null) return ApiInput.LicenseNotFound(packageId, orgId);
        return Ok(new SeatListResource(list.License, list.AvailableSeats, [.. list.Holders.Select(Resource)]));
    }

    [HttpGet("{packageId}/{orgId}/seats/{userId}")]
    [EndpointName("getSeat")]
    [EndpointSummary("Does this user hold a seat?")]
    [ProducesResponseType(typeof(SeatResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    public async Task<IActionResult> GetSeat(string packageId, string orgId, string userId, [FromServices] SeatAssignments seats, CancellationToken ct)
    {
        if (Refuse(packageId, orgId, userId) is { } refused) return refused;
        var seat = await seats.FindSeatAsync(packageId, orgId, userId, ct);
        if (seat is not null) return Ok(Resource(seat));
        return await seats.LicenseExistsAsync(packageId, orgId, ct)
            ? ApiProblem.Result(404, "seat_not_assigned", "This user holds no seat.", $"User {userId} holds no seat of this license.")
            : ApiInput.LicenseNotFound(packageId, orgId);
    }

    /// <summary>Assigns a seat. 201 when assigned, 200 when the user already held one, 409 when no seat is free.</summary>
    [HttpPut("{packageId}/{orgId}/seats/{userId}")]
    [EndpointName("assignSeat")]
    [EndpointSummary("Assign a seat to a user")]
    [ProducesResponseType(typeof(SeatResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(SeatResource), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status409Conflict)]
    public async Task<IActionResult> AssignSeat(string packageId, string orgId, string userId, [FromServices] SeatAssignments seats, CancellationToken ct)
    {
        if (Refuse(packageId, orgId, userId) is { } refused) return refused;
        var outcome = await seats.AssignAsync(packageId, orgId, userId, ct);
        return outcome.Result switch
        {
            SeatAssignments.Result.Assigned => StatusCode(StatusCodes.Status201Created, Resource(outcome.Seat!)),
            SeatAssignments.Result.AlreadyHeld => Ok(Resource(outcome.Seat!)),
            SeatAssignments.Result.LicenseNotFound => ApiInput.LicenseNotFound(packageId, orgId),
            SeatAssignments.Result.Refused => CommandResultProblems.Violations(409, [outcome.Violation!]),
            _ => Busy(),
        };
    }

    /// <summary>Revokes a seat. Idempotent: 204 whether or not the user held one.</summary>
    [HttpDelete("{packageId}/{orgId}/seats/{userId}")]
    [EndpointName("revokeSeat")]
    [EndpointSummary("Revoke a user's seat")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    public async Task<IActionResult> RevokeSeat(string packageId, string orgId, string userId, [FromServices] SeatAssignments seats, CancellationToken ct)
    {
        if (Refuse(packageId, orgId, userId) is { } refused) return refused;
        var outcome = await seats.RevokeAsync(packageId, orgId, userId, ct);
        return outcome.Result switch
        {
            SeatAssignments.Result.Revoked or SeatAssignments.Result.NotHeld => NoContent(),
            SeatAssignments.Result.LicenseNotFound => ApiInput.LicenseNotFound(packageId, orgId),
            _ => Busy(),
        };
    }

    /// <summary>A signed license token (compact JWS, ES256) to verify offline against /.well-known/jwks.json. It states the
    /// license as the database has it now, never a cached check answer: a token lives for hours.</summary>
    [HttpPost("{packageId}/{orgId}/token")]
    [EndpointName("issueLicenseToken")]
    [EndpointSummary("Issue a signed license token")]
    [ProducesResponseType(typeof(TokenResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    public async Task<IActionResult> Token(string packageId, string orgId, [FromServices] LicenseTokens tokens, CancellationToken ct)
    {
        if (Refuse(packageId, orgId, null) is { } refused) return refused;
        var answer = await check.ReadCurrentAsync(packageId, orgId, ct);
        if (answer.License is null) return ApiInput.LicenseNotFound(packageId, orgId);
        var token = await tokens.IssueAsync(packageId, orgId, answer, ct);
        return Ok(new TokenResource(token.Token, token.TokenType, token.ExpiresAt, token.KeyId));
    }

    private ObjectResult? Refuse(string packageId, string orgId, string? userId) =>
        ApiInput.Ids(packageId, orgId, userId, userRequired: userId is not null)
        ?? (User.MayUsePackage(packageId) ? null : ApiInput.PackageNotAllowed(packageId));

    private static ObjectResult Busy() =>
        ApiProblem.Result(409, "license_busy", "The license is being changed by other requests.", "Many seat changes hit this license at once: try again.");

    private static SeatResource Resource(SeatAssignment s) => new(s.SubscriberUserId, s.AssignedAt, s.AssignedBy);
}
