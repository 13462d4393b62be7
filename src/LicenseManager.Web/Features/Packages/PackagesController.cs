using LicenseManager.Web.Features.Installs;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Packages;

[Authorize(Policy = Policies.Read)]
[Route("packages")]
public sealed class PackagesController(LicenseManagerDbContext db, PackageCommands commands) : Controller
{
    public sealed record PackagePage(
        Package Package,
        IReadOnlyList<PackageVersion> Versions,
        IReadOnlyList<License> RecentLicenses,
        IReadOnlyDictionary<LicenseStatus, int> LicenseCounts,
        int HeldCount,
        DateTime? NextRefreshAt,
        LicenseRefresh? LastRefresh,
        IReadOnlyList<ApplicationUser> EligibleLeadManagers,
        PackageAssociationInput Association);

    public sealed record TroubleshootingPage(
        Package Package,
        bool LeadManagerActive,
        IReadOnlyList<(string Code, string Reason, int Count)> HeldByReason,
        IReadOnlyList<InstallEvent> Held,
        int Pending,
        IReadOnlyList<LicenseRefresh> Refreshes,
        DateTime? NextRefreshAt);

    [HttpGet("")]
    public Task<IActionResult> Index(CancellationToken ct) => ListPipeline.PageAsync(this, PackageList.Definition, db, ct);

    [HttpGet("export")]
    public Task Export(CancellationToken ct) => ListPipeline.ExportAsync(this, PackageList.Definition, db, ct);

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Details(long id, CancellationToken ct)
    {
        var page = await LoadPageAsync(id, null, ct);
        return page is null ? NotFound() : View(page);
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/association")]
    public async Task<IActionResult> Associate(long id, PackageAssociationInput input, CancellationToken ct)
    {
        var result = await commands.SetAssociationAsync(id, input, input.Version, ct);
        if (result.Succeeded)
        {
            TempData["Flash"] = "Package associated: installs now become leads and licenses with these defaults.";
            return Redirect($"/packages/{id}");
        }
        return await RefusedAsync(id, result, input, ct);
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/lead-manager")]
    public async Task<IActionResult> ChangeLeadManager(long id, string? leadManagerId, int version, CancellationToken ct)
    {
        var result = await commands.ChangeLeadManagerAsync(id, leadManagerId, version, ct);
        if (result.Succeeded)
        {
            TempData["Flash"] = "Lead manager changed: new leads from this package are owned by the new lead manager.";
            return Redirect($"/packages/{id}");
        }
        return await RefusedAsync(id, result, null, ct);
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/refresh")]
    public async Task<IActionResult> Refresh(long id, CancellationToken ct)
    {
        var result = await commands.RequestRefreshAsync(id, manual: true, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded) TempData["Flash"] = "Refresh Licenses started. The results appear on the Troubleshooting page when it finishes.";
        else TempData["FlashWarning"] = result.Violations[0].Message;
        return Redirect($"/packages/{id}");
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/retry")]
    public async Task<IActionResult> Retry(long id, CancellationToken ct)
    {
        var result = await commands.RetryHeldAsync(id, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        TempData["Flash"] = result.Value == 0 ? "No held installs to retry." : $"{result.Value} held install event(s) sent back for processing.";
        return Redirect($"/packages/{id}/troubleshooting");
    }

    /// <summary>The package page again, with the command's messages at their fields (the association form keeps what was typed).</summary>
    private async Task<IActionResult> RefusedAsync(long id, CommandResult result, PackageAssociationInput? input, CancellationToken ct)
    {
        if (result.Status == CommandStatus.NotFound) return NotFound();
        result.ShowOn(this);
        db.ChangeTracker.Clear();
        var page = await LoadPageAsync(id, input, ct);
        return page is null ? NotFound() : View("Details", page);
    }

    [HttpGet("{id:long}/troubleshooting")]
    public async Task<IActionResult> Troubleshooting(long id, CancellationToken ct)
    {
        var package = await db.Packages.AsNoTracking().Include(p => p.LeadManager).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (package is null) return NotFound();
        var heldQuery = db.EventsOfPackage(id).AsNoTracking().Where(e => e.State == InstallEventState.Held);
        var byReason = await heldQuery.GroupBy(e => new { e.HoldCode, e.HoldReason }).Select(g => new { g.Key.HoldCode, g.Key.HoldReason, Count = g.Count() })
            .OrderByDescending(g => g.Count).Take(20).ToListAsync(ct);
        var held = await heldQuery.OrderBy(e => e.Id).Take(100).ToListAsync(ct);
        var pending = await db.EventsOfPackage(id).CountAsync(e => e.State == InstallEventState.Pending, ct);
        var refreshes = await db.LicenseRefreshes.AsNoTracking().Where(r => r.PackageKey == id).OrderByDescending(r => r.Id).Take(10).ToListAsync(ct);
        ViewData["Title"] = $"Troubleshooting · {package.Name}";
        ViewData["Section"] = "Packages";
        return View(new TroubleshootingPage(package, package.LeadManager is null or { IsActive: true },
            byReason.Select(g => (g.HoldCode ?? "", g.HoldReason ?? "", g.Count)).ToList(), held, pending, refreshes, commands.NextRefreshAvailableAt(package)));
    }

    private async Task<PackagePage?> LoadPageAsync(long id, PackageAssociationInput? input, CancellationToken ct)
    {
        var package = await db.Packages.AsNoTracking().Include(p => p.LeadManager).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (package is null) return null;
        var versions = await db.PackageVersions.AsNoTracking().Where(v => v.PackageKey == id).OrderByDescending(v => v.VersionSortKey).ToListAsync(ct);
        var recent = await db.Licenses.AsNoTracking().Where(l => l.PackageKey == id).OrderByDescending(l => l.Id).Take(10).ToListAsync(ct);
        var counts = await db.Licenses.Where(l => l.PackageKey == id).GroupBy(l => l.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var held = await db.EventsOfPackage(id).CountAsync(e => e.State == InstallEventState.Held, ct);
        var lastRefresh = await db.LicenseRefreshes.AsNoTracking().Where(r => r.PackageKey == id).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var defaults = package.Defaults;
        input ??= new PackageAssociationInput
        {
            Status = defaults.Status.ToString(),
            SiteLicense = defaults.Seats is null,
            Seats = defaults.Seats,
            DoesNotExpire = defaults.LengthDays is null,
            LengthDays = defaults.LengthDays,
            Version = package.Version,
        };
        ViewData["Title"] = package.Name;
        ViewData["Section"] = "Packages";
        return new PackagePage(package, versions, recent, counts, held, commands.NextRefreshAvailableAt(package), lastRefresh,
            await commands.EligibleLeadManagersAsync(ct), input);
    }
}
