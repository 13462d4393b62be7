using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.SavedViews;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.PackageVersions;

/// <summary>Package versions are read-only for everyone: they come from package-version-uploaded events.</summary>
[Authorize(Policy = Policies.Read)]
[Route("package-versions")]
public sealed class PackageVersionsController(LicenseManagerDbContext db) : Controller
{
    public static readonly IReadOnlyList<SortColumn<PackageVersion>> Columns =
    [
        SortColumn.For<PackageVersion, string>("name", "Package Version Name", v => v.Name),
        SortColumn.For<PackageVersion, long>("package", "Package", v => v.PackageKey),
        SortColumn.For<PackageVersion, long>("version", "Version", v => v.VersionSortKey),
        SortColumn.For<PackageVersion, string>("versionId", "Version ID", v => v.VersionId),
        SortColumn.For<PackageVersion, DateOnly?>("released", "Release Date", v => v.ReleaseDate),
    ];

    public sealed record VersionPage(PackageVersion Version, int LicenseCount, IReadOnlyList<License> Licenses);

    private static IQueryable<PackageVersion> Filter(IQueryable<PackageVersion> versions, ListRequest q)
    {
        if (q.PackageId("package") is { } package) versions = versions.Where(v => v.Package.PackageId == package);
        if (q.Bool("beta") is { } beta) versions = versions.Where(v => v.Beta == beta);
        if (q.Text("q") is { } text) versions = versions.Where(v => v.Name.StartsWith(text) || v.VersionId == text);
        return versions;
    }

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "released", true);
        var after = request.After(column);
        var page = await Keyset.PageAsync(Filter(db.PackageVersions.AsNoTracking(), request), column, desc, after, ListState.PageSize, ct);
        ViewData["Title"] = "Package Versions";
        ViewData["Section"] = "PackageVersions";
        if (!request.IsValid) Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(new ListPage<PackageVersion>("package-versions", "Package Versions", page.Rows,
            new ListState("/package-versions", Request.Query, column.Name, desc, page.NextCursor, after is null) { Errors = request.Errors },
            await SavedViewsController.ForAsync(db, User, "package-versions", ct))
        {
            PackageNames = await db.Packages.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct),
            PackageChoices = await Licenses.LicensesController.PackageChoicesAsync(db, ct),
        });
    }

    [HttpGet("export")]
    public async Task Export(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "released", true);
        var query = Filter(db.PackageVersions.AsNoTracking(), request);
        if (!await ListExport.FiltersReadAsync(request, Response, ct)) return;
        var packages = await db.Packages.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var rows = CsvExport.AllPages(c => Keyset.PageAsync(query, column, desc, c, 1000, ct));
        await CsvExport.WriteAsync(Response, "package-versions.csv", ["Package Version Name", "Package", "Version", "Version ID", "Beta", "Release Date"], Map(rows), ct);
        async IAsyncEnumerable<IReadOnlyList<string?>> Map(IAsyncEnumerable<PackageVersion> versions)
        {
            await foreach (var v in versions)
                yield return [v.Name, packages.GetValueOrDefault(v.PackageKey), v.VersionNumber, v.VersionId, Display.YesNo(v.Beta), v.ReleaseDate?.ToString("yyyy-MM-dd")];
        }
    }

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Details(long id, CancellationToken ct)
    {
        var version = await db.PackageVersions.AsNoTracking().Include(v => v.Package).FirstOrDefaultAsync(v => v.Id == id, ct);
        if (version is null) return NotFound();
        var count = await db.Licenses.CountAsync(l => l.PackageVersionKey == id, ct);
        var licenses = await db.Licenses.AsNoTracking().Where(l => l.PackageVersionKey == id).OrderByDescending(l => l.Id).Take(20).ToListAsync(ct);
        ViewData["Title"] = version.Name;
        ViewData["Section"] = "PackageVersions";
        return View(new VersionPage(version, count, licenses));
    }
}
