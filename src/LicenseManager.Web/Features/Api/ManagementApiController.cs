using System.Globalization;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Licenses;
using LicenseManager.Web.Features.Packages;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Api;

/// <summary>
/// The management API (scope `manage`): the list view's filters and keyset paging, Modify License with its own rules
/// and messages, and the package commands of the package page. Changes are attributed to "API key &lt;name&gt;".
/// </summary>
[ApiController]
[Route("api/v1")]
[Authorize(Policy = ApiKeyAuth.ManagePolicy)]
[EnableRateLimiting(LicensingApiSetup.RateLimitPolicy)]
[IgnoreAntiforgeryToken]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status400BadRequest)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status401Unauthorized)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status403Forbidden)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status429TooManyRequests)]
[Tags(ApiContract.Tags.Management)]
public sealed class ManagementApiController(LicenseManagerDbContext db, ModifyLicense modify, PackageCommands packages) : ControllerBase
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public sealed record LicenseResource(
        long Name, string PackageId, string PackageVersionNumber, string SubscriberOrgId, string OrgName, string Status, int? Seats,
        int? UsedLicenses, int? AvailableSeats, DateOnly? ExpirationDate, DateTime InstallDate, string? OrgEdition, string OrgStatus,
        bool IsSandbox, string? Instance, DateTime? InformationCurrentAsOf, string ETag);

    public sealed record LicensePage(IReadOnlyList<LicenseResource> Items, string? Next);

    public sealed record PackageResource(
        string PackageId, string Name, string DeveloperName, string? LatestVersion, bool IsAssociated, string DefaultStatus,
        int? DefaultSeats, int? DefaultLengthDays, string? LeadManagerId, string ETag);

    /// <summary>Modify License: the same fields as the page. Seats null with siteLicense true = Site License.</summary>
    public sealed record ModifyLicenseRequest(string? Status, bool SiteLicense, int? Seats, bool DoesNotExpire, DateOnly? ExpirationDate);

    /// <summary>Association defaults. Seats null = Site License; lengthDays null = Does not expire (not for Trial).</summary>
    public sealed record AssociationRequest(string? Status, int? Seats, int? LengthDays);

    public sealed record LeadManagerRequest(string? UserId);

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
        Response.Headers.ETag = ETag(license.Version);
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
        var precondition = ReadIfMatch();
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
            Response.Headers.ETag = ETag(result.Value!.Version);
            return result.ToProblem("The license changed since you read it.",
                detail: "Someone else changed this license since you read it: read it again (new ETag) and repeat the change if it still applies.");
        }
        if (result.Status == CommandStatus.NotFound) return LicenseNotFound(name);
        if (!result.Succeeded) return result.ToProblem();

        db.ChangeTracker.Clear();
        var saved = await db.Licenses.AsNoTracking().Include(l => l.Package).FirstAsync(l => l.Id == name, ct);
        Response.Headers.ETag = ETag(saved.Version);
        if (result.Warnings.Count > 0) Response.Headers.Append("Warning", $"199 - \"{string.Join(" ", result.Warnings)}\"");
        return Ok(Resource(saved));
    }

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
        Response.Headers.ETag = ETag(package.Version);
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
        Response.Headers.ETag = ETag(package.Version);
        return Ok(Resource(package));
    }

    private ObjectResult? FindPackageProblem(string packageId)
    {
        if (!ApiInput.IsId(packageId, 18))
            return ApiProblem.Result(400, "validation_failed", "The request has invalid values.", null,
                new Dictionary<string, string[]> { ["packageId"] = ["Give the 18-character package ID (letters and digits)."] });
        return User.MayUsePackage(packageId) ? null : ApiInput.PackageNotAllowed(packageId);
    }

    /// <summary>What an If-Match header asks: nothing (absent), any current version (`*`), or these versions.</summary>
    private sealed record IfMatchPrecondition(bool Any, IReadOnlyList<int> Versions, ObjectResult? Problem);

    /// <summary>
    /// If-Match per RFC 9110 13.1.1: `*` or a list of entity tags, compared strongly, so a weak tag (W/"v3") never matches
    /// (412). Tags that aren't this API's ("v12") are a malformed request (400); no header at all is 428.
    /// </summary>
    private IfMatchPrecondition ReadIfMatch()
    {
        if (Request.Headers.IfMatch.Count == 0)
            return new(false, [], ApiProblem.Result(428, "if_match_required", "If-Match is required.",
                "Send the ETag of the license you read (GET /api/v1/licenses/{name}) in If-Match, so a change made meanwhile is not overwritten."));
        var tags = Request.Headers.IfMatch.SelectMany(h => (h ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (tags.Count == 1 && tags[0] == "*") return new(true, [], null);
        var versions = new List<int>();
        var weak = false;
        foreach (var tag in tags)
        {
            var isWeak = tag.StartsWith("W/", StringComparison.Ordinal);
            var opaque = isWeak ? tag[2..] : tag;
            if (opaque.Length < 4 || opaque[0] != '"' || opaque[^1] != '"' || opaque[1] != 'v'
                || !int.TryParse(opaque[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                return new(false, [], ApiProblem.Result(400, "if_match_invalid", "If-Match is not an ETag of this API.",
                    "Send the ETag exactly as it was returned, e.g. If-Match: \"v3\", or * for any current version."));
            if (isWeak) weak = true; else versions.Add(v);
        }
        if (versions.Count == 0 && weak)
            return new(false, [], ApiProblem.Result(412, "if_match_weak", "A weak ETag never matches If-Match.",
                "If-Match uses the strong comparison (RFC 9110): send the ETag exactly as returned, without W/."));
        return new(false, versions, null);
    }

    /// <summary>
    /// The package endpoints take If-Match optionally: absent or `*` expects no version in particular; otherwise the
    /// listed version that is current, or the first one (then 412 as stale). A weak or foreign tag is refused as for licenses.
    /// </summary>
    private async Task<(int? Expected, ObjectResult? Problem)> PackageIfMatchAsync(long packageKey, CancellationToken ct)
    {
        if (Request.Headers.IfMatch.Count == 0) return (null, null);
        var precondition = ReadIfMatch();
        if (precondition.Problem is not null) return (null, precondition.Problem);
        if (precondition.Any) return (null, null);
        if (precondition.Versions.Count == 1) return (precondition.Versions[0], null);
        var current = await db.Packages.Where(p => p.Id == packageKey).Select(p => p.Version).FirstAsync(ct);
        return (precondition.Versions.Contains(current) ? current : precondition.Versions[0], null);
    }

    private static string ETag(int version) => $"\"v{version.ToString(CultureInfo.InvariantCulture)}\"";

    private static ObjectResult LicenseNotFound(long name) =>
        ApiProblem.Result(404, "license_not_found", "No license found.", $"There is no license {name} this API key may see.");

    private static ObjectResult PackageNotFound(string packageId) =>
        ApiProblem.Result(404, PackageCommands.Codes.NotFound, "No package found.", $"There is no package {packageId}.");

    private static LicenseResource Resource(License l) => new(
        l.Id, l.Package.PackageId, l.PackageVersionNumber, l.SubscriberOrgId, l.OrgName, l.Status.ToString(), l.Seats, l.UsedLicensesShown,
        LicenseRules.AvailableSeats(l), l.ExpirationDate, l.InstallDate, l.OrgEdition, l.OrgStatus.ToString(), l.IsSandbox, l.Instance,
        l.InformationCurrentAsOf, ETag(l.Version));

    private static PackageResource Resource(Package p) => new(
        p.PackageId, p.Name, p.DeveloperName, p.LatestVersion, p.IsAssociated, p.DefaultStatus.ToString(), p.DefaultSeats, p.DefaultLengthDays,
        p.LeadManagerId, ETag(p.Version));
}
