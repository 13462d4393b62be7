using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using LicenseManager.Web.Infrastructure.Results;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>
/// The management API's licenses (scope `manage`): the list view's filters and keyset paging, and Modify License with
/// its own rules and messages. Changes are attributed to "API key &lt;name&gt;".
/// </summary>
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
public sealed class LicensesApiController(LicenseManagerDbContext db, ModifyLicense modify) : ControllerBase
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public sealed record LicenseResource(
        long Name, string PackageId, string PackageVersionNumber, string SubscriberOrgId, string OrgName, string Status, int? Seats,
        int? UsedLicenses, int? AvailableSeats, DateOnly? ExpirationDate, DateTime InstallDate, string? OrgEdition, string OrgStatus,
        bool IsSandbox, string? Instance, DateTime? InformationCurrentAsOf, string ETag);

    public sealed record LicensePage(IReadOnlyList<LicenseResource> Items, string? Next);

    /// <summary>Modify License: the same fields as the page. Seats null with siteLicense true = Site License.</summary>
    public sealed record ModifyLicenseRequest(string? Status, bool SiteLicense, int? Seats, bool DoesNotExpire, DateOnly? ExpirationDate);

    /// <summary>Licenses with the list view's filters (status, package = Package ID, version = Version ID, expiresAfter, expiresBefore
    /// (yyyy-MM-dd), sandbox, edition, orgStatus, seats=site|seats, minSeats, maxSeats, q) and sort (sort, dir); page with `after` =
    /// the previous page's `next`. A filter whose value doesn't parse answers 400 `invalid_filter` naming it.</summary>
    [HttpGet("licenses")]
    [EndpointName("listLicenses")]
    [LicenseListQuery]
    [EndpointSummary("List licenses")]
    [ProducesResponseType(typeof(LicensePage), StatusCodes.Status200OK)]
    public async Task<IActionResult> ListLicenses([FromQuery] string? after, [FromQuery] int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > MaxPageSize)
            return ApiProblem.Result(400, "validation_failed", "The request has invalid values.", null,
                new Dictionary<string, string[]> { ["limit"] = [$"limit must be from 1 to {MaxPageSize}."] });
        _ = after; // declared for the API's description; the list pipeline reads it (strictly) with the filters
        var request = new ListRequest(Request.Query);
        var list = ListPipeline.Read(LicenseList.Definition, request, db.Licenses.AsNoTracking().Include(l => l.Package), db, paged: true);
        if (!request.IsValid) return request.Problem();
        var query = list.Rows;
        var allowed = User.AllowedPackages();
        if (allowed.Count > 0) query = query.Where(l => allowed.Contains(l.Package.PackageId));
        var page = await (list with { Rows = query }).PageAsync(limit ?? DefaultPageSize, ct);
        return Ok(new LicensePage([.. page.Rows.Select(Resource)], page.NextCursor));
    }

    [HttpGet("licenses/{name:long}")]
    [EndpointName("getLicense")]
    [ResponseHeader("ETag", StatusCodes.Status200OK)]
    [EndpointSummary("Read a license")]
    [ProducesResponseType(typeof(LicenseResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    public async Task<IActionResult> GetLicense(long name, CancellationToken ct)
    {
        var license = await db.Licenses.AsNoTracking().Include(l => l.Package).FirstOrDefaultAsync(l => l.Id == name, ct);
        if (license is null || !User.MayUsePackage(license.Package.PackageId)) return LicenseNotFound(name);
        Response.Headers.ETag = IfMatch.ETag(license.Version);
        return Ok(Resource(license));
    }

    /// <summary>
    /// Modify License with the page's rules and messages. `If-Match` must carry the ETag read from the license (or `*`):
    /// 428 without it, 412 when someone changed the license since or when the tag is weak (strong comparison, RFC 9110).
    /// </summary>
    [HttpPost("licenses/{name:long}/modify")]
    [EndpointName("modifyLicense")]
    [RequestHeader("If-Match", Required = true)]
    [ResponseHeader("ETag", StatusCodes.Status200OK)]
    [ResponseHeader("ETag", StatusCodes.Status412PreconditionFailed, Required = false)]
    [ResponseHeader("Warning", StatusCodes.Status200OK, Required = false)]
    [EndpointSummary("Modify a license (If-Match required)")]
    [Consumes("application/json")]
    [ProducesResponseType(typeof(LicenseResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status422UnprocessableEntity)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status428PreconditionRequired)]
    public async Task<IActionResult> Modify(long name, ModifyLicenseRequest body, CancellationToken ct)
    {
        var license = await db.Licenses.AsNoTracking().Include(l => l.Package).FirstOrDefaultAsync(l => l.Id == name, ct);
        if (license is null || !User.MayUsePackage(license.Package.PackageId)) return LicenseNotFound(name);
        var precondition = IfMatch.Read(Request);
        if (precondition.Problem is { } refused) return refused;
        // "*" matches whatever version is current; a list matches when any of its tags is the current one.
        var version = precondition.Any || precondition.Versions.Contains(license.Version) ? license.Version : precondition.Versions[0];

        var input = new ModifyLicenseInput
        {
            Status = body.Status, SiteLicense = body.SiteLicense, Seats = body.Seats,
            DoesNotExpire = body.DoesNotExpire, ExpirationDate = body.ExpirationDate, Version = version,
        };
        var result = await modify.ExecuteAsync(name, input, ct);
        if (result.Status == CommandStatus.Conflict)
        {
            Response.Headers.ETag = IfMatch.ETag(result.Value!.Version);
            return result.ToProblem("The license changed since you read it.",
                detail: "Someone else changed this license since you read it: read it again (new ETag) and repeat the change if it still applies.");
        }
        if (result.Status == CommandStatus.NotFound) return LicenseNotFound(name);
        if (!result.Succeeded) return result.ToProblem();

        db.ChangeTracker.Clear();
        var saved = await db.Licenses.AsNoTracking().Include(l => l.Package).FirstAsync(l => l.Id == name, ct);
        Response.Headers.ETag = IfMatch.ETag(saved.Version);
        if (result.Warnings.Count > 0) Response.Headers.Append("Warning", $"199 - \"{string.Join(" ", result.Warnings)}\"");
        return Ok(Resource(saved));
    }

    private static ObjectResult LicenseNotFound(long name) =>
        ApiProblem.Result(404, "license_not_found", "No license found.", $"There is no license {name} this API key may see.");

    private static LicenseResource Resource(License l) => new(
        l.Id, l.Package.PackageId, l.PackageVersionNumber, l.SubscriberOrgId, l.OrgName, l.Status.ToString(), l.Seats, l.UsedLicensesShown,
        LicenseRules.AvailableSeats(l), l.ExpirationDate, l.InstallDate, l.OrgEdition, l.OrgStatus.ToString(), l.IsSandbox, l.Instance,
        l.InformationCurrentAsOf, IfMatch.ETag(l.Version));
}
