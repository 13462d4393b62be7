using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Dashboard;

/// <summary>The business at a glance: the home page after login, and the same figures for one package.</summary>
[Authorize]
public sealed class DashboardController(DashboardSnapshots snapshots, LicenseManagerDbContext db, TimeProvider time) : Controller
{
    /// <param name="Now">When the page was drawn: the figures' age is told against it.</param>
    public sealed record DashboardPage(DashboardFigures Figures, int PackageCount, DateTime Now, TimeSpan RefreshInterval);

    [HttpGet("/")]
    public Task<IActionResult> Index(CancellationToken ct) => ShowAsync(null, ct);

    [HttpGet("/packages/{id:long}/dashboard")]
    public async Task<IActionResult> Package(long id, CancellationToken ct)
    {
        if (!Roles.All.Any(User.IsInRole)) return View("NoRole");
        if (!await db.Packages.AnyAsync(p => p.Id == id, ct)) return NotFound();
        return await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(long? packageKey, CancellationToken ct)
    {
        ViewData["Title"] = "Dashboard";
        if (!Roles.All.Any(User.IsInRole)) return View("NoRole");
        var scope = new DashboardScope(packageKey, Request.Query.Bool(DashboardScope.HideTestOrgsKey) == true);
        var figures = await snapshots.GetAsync(scope, ct);
        if (packageKey is not null)
        {
            ViewData["Title"] = $"Dashboard · {figures.PackageName}";
            ViewData["Section"] = "Packages";
        }
        var packageCount = packageKey is null ? await db.Packages.CountAsync(ct) : 1;
        return View("Index", new DashboardPage(figures, packageCount, time.GetUtcNow().UtcDateTime, snapshots.RefreshInterval));
    }
}
