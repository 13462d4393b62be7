using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
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
    public sealed record VersionPage(PackageVersion Version, int LicenseCount, IReadOnlyList<License> Licenses);

    [HttpGet("")]
    public Task<IActionResult> Index(CancellationToken ct) => ListPipeline.PageAsync(this, PackageVersionList.Definition, db, ct);

    [HttpGet("export")]
    public Task Export(CancellationToken ct) => ListPipeline.ExportAsync(this, PackageVersionList.Definition, db, ct);

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
