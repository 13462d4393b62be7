using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using LicenseManager.Web.Infrastructure.Results;

namespace LicenseManager.Web.Features.Packages;

/// <summary>The management API's packages (scope `manage`): the package commands of the package page.</summary>
[ApiController]
[Route("api/v1")]
[Authorize(Policy = ApiKeyAuth.ManagePolicy)]
[EnableRateLimiting(ApiKeyAuth.RateLimitPolicy)]
[IgnoreAntiforgeryToken]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status400BadRequest)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status401Unauthorized)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status403Forbidden)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status429TooManyRequests)]
[Tags(ApiContract.Tags.Management)]
public sealed class PackagesApiController(LicenseManagerDbContext db, PackageCommands packages) : ControllerBase
{
    public sealed record PackageResource(
        string PackageId, string Name, string DeveloperName, string? LatestVersion, bool IsAssociated, string DefaultStatus,
        int? DefaultSeats, int? DefaultLengthDays, string? LeadManagerId, string ETag);

    /// <summary>Association defaults. Seats null = Site License; lengthDays null = Does not expire (not for Trial).</summary>
    public sealed record AssociationRequest(string? Status, int? Seats, int? LengthDays);

    public sealed record LeadManagerRequest(string? UserId);

    [HttpGet("packages")]
    [EndpointName("listPackages")]
    [EndpointSummary("List packages")]
    [ProducesResponseType(typeof(IReadOnlyList<PackageResource>), StatusCodes.Status200OK)]
    public async Task<IActionResult> ListPackages(CancellationToken ct)
    {
        var allowed = User.AllowedPackages();
        var query = db.Packages.AsNoTracking();
        if (allowed.Count > 0) query = query.Where(p => allowed.Contains(p.PackageId));
        var list = await query.OrderBy(p => p.Name).ThenBy(p => p.Id).Take(1000).ToListAsync(ct);
        return Ok(list.Select(Resource).ToList());
    }

    [HttpGet("packages/{packageId}")]
    [EndpointName("getPackage")]
    [ResponseHeader("ETag", StatusCodes.Status200OK)]
    [EndpointSummary("Read a package")]
    [ProducesResponseType(typeof(PackageResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    public async Task<IActionResult> GetPackage(string packageId, CancellationToken ct)
    {
        if (FindPackageProblem(packageId) is { } problem) return problem;
        var package = await db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.PackageId == packageId, ct);
        if (package is null) return PackageNotFound(packageId);
        Response.Headers.ETag = IfMatch.ETag(package.Version);
        return Ok(Resource(package));
    }

    /// <summary>Associates the package with these defaults (or changes them). `If-Match` is optional here: with it, 412 when stale.</summary>
    [HttpPut("packages/{packageId}/association")]
    [EndpointName("setPackageAssociation")]
    [RequestHeader("If-Match")]
    [ResponseHeader("ETag", StatusCodes.Status200OK)]
    [EndpointSummary("Set a package's association defaults")]
    [Consumes("application/json")]
    [ProducesResponseType(typeof(PackageResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> SetAssociation(string packageId, AssociationRequest body, CancellationToken ct)
    {
        if (FindPackageProblem(packageId) is { } problem) return problem;
        var key = await db.Packages.Where(p => p.PackageId == packageId).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
        if (key is null) return PackageNotFound(packageId);
        var (expected, refused) = await PackageIfMatchAsync(key.Value, ct);
        if (refused is not null) return refused;
        // The page's form and this body share one input and validator; the API's nulls are the form's checkboxes.
        var input = new PackageAssociationInput
        {
            Status = body.Status, SiteLicense = body.Seats is null, Seats = body.Seats, DoesNotExpire = body.LengthDays is null, LengthDays = body.LengthDays,
        };
        var result = await packages.SetAssociationAsync(key.Value, input, expected, ct);
        return await PackageOutcomeAsync(packageId, result, ct);
    }

    [HttpPut("packages/{packageId}/lead-manager")]
    [EndpointName("setPackageLeadManager")]
    [RequestHeader("If-Match")]
    [ResponseHeader("ETag", StatusCodes.Status200OK)]
    [EndpointSummary("Set a package's lead manager (userId null: the LMA owns new leads)")]
    [Consumes("application/json")]
    [ProducesResponseType(typeof(PackageResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> SetLeadManager(string packageId, LeadManagerRequest body, CancellationToken ct)
    {
        if (FindPackageProblem(packageId) is { } problem) return problem;
        if (body.UserId is { Length: > 0 } && !Ids.IsUserId(body.UserId))
            return ApiProblem.Result(400, "validation_failed", "The request has invalid values.", null,
                new Dictionary<string, string[]> { ["userId"] = [$"userId is an LMA user's id: up to {Ids.UserIdMaxLength} letters, digits and '-' (or null for the LMA)."] });
        var key = await db.Packages.Where(p => p.PackageId == packageId).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
        if (key is null) return PackageNotFound(packageId);
        var (expected, refused) = await PackageIfMatchAsync(key.Value, ct);
        if (refused is not null) return refused;
        var result = await packages.ChangeLeadManagerAsync(key.Value, body.UserId, expected, ct);
        return await PackageOutcomeAsync(packageId, result, ct);
    }

    private async Task<IActionResult> PackageOutcomeAsync(string packageId, CommandResult result, CancellationToken ct)
    {
        if (result.Status == CommandStatus.NotFound) return PackageNotFound(packageId);
        if (!result.Succeeded) return result.ToProblem("The package changed since you read it.");
        db.ChangeTracker.Clear();
        var package = await db.Packages.AsNoTracking().FirstAsync(p => p.PackageId == packageId, ct);
        Response.Headers.ETag = IfMatch.ETag(package.Version);
        return Ok(Resource(package));
    }

    private ObjectResult? FindPackageProblem(string packageId)
    {
        if (!ApiInput.IsId(packageId, 18))
            return ApiProblem.Result(400, "validation_failed", "The request has invalid values.", null,
                new Dictionary<string, string[]> { ["packageId"] = ["Give the 18-character package ID (letters and digits)."] });
        return User.MayUsePackage(packageId) ? null : ApiInput.PackageNotAllowed(packageId);
    }

    /// <summary>
    /// The package endpoints take If-Match optionally: absent or `*` expects no version in particular; otherwise the
    /// listed version that is current, or the first one (then 412 as stale). A weak or foreign tag is refused as for licenses.
    /// </summary>
    private async Task<(int? Expected, ObjectResult? Problem)> PackageIfMatchAsync(long packageKey, CancellationToken ct)
    {
        if (Request.Headers.IfMatch.Count == 0) return (null, null);
        var precondition = IfMatch.Read(Request);
        if (precondition.Problem is not null) return (null, precondition.Problem);
        if (precondition.Any) return (null, null);
        if (precondition.Versions.Count == 1) return (precondition.Versions[0], null);
        var current = await db.Packages.Where(p => p.Id == packageKey).Select(p => p.Version).FirstAsync(ct);
        return (precondition.Versions.Contains(current) ? current : precondition.Versions[0], null);
    }

    private static ObjectResult PackageNotFound(string packageId) =>
        ApiProblem.Result(404, PackageCommands.Codes.NotFound, "No package found.", $"There is no package {packageId}.");

    private static PackageResource Resource(Package p) => new(
        p.PackageId, p.Name, p.DeveloperName, p.LatestVersion, p.IsAssociated, p.DefaultStatus.ToString(), p.DefaultSeats, p.DefaultLengthDays,
        p.LeadManagerId, IfMatch.ETag(p.Version));
}
