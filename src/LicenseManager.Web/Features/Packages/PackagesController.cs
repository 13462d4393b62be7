using LicenseManager.Web.Features.Installs;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Packages;

[Authorize(Policy = Policies.Read)]
[Route("packages")]
public sealed class PackagesController(LicenseManagerDbContext db, PackageCommands commands) : Controller
{
    public sealed class AssociationInput
    {
        public string? Status { get; set; }
        public bool SiteLicense { get; set; }
        public int? Seats { get; set; }
        public bool DoesNotExpire { get; set; }
        public int? LengthDays { get; set; }
        public int Version { get; set; }
    }

    public sealed record PackagePage(
        Package Package,
        IReadOnlyList<PackageVersion> Versions,
        IReadOnlyList<License> RecentLicenses,
        IReadOnlyDictionary<LicenseStatus, int> LicenseCounts,
        int HeldCount,
        DateTime? NextRefreshAt,
        LicenseRefresh? LastRefresh,
        IReadOnlyList<ApplicationUser> EligibleLeadManagers,
        AssociationInput Association);

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
    public async Task<IActionResult> Associate(long id, AssociationInput input, CancellationToken ct)
    {
        if (!await db.Packages.AnyAsync(p => p.Id == id, ct)) return NotFound();
        ModelState.Clear();
        if (!Enum.TryParse<LicenseStatus>(input.Status, out var status) || status is not (LicenseStatus.Trial or LicenseStatus.Active))
            ModelState.AddModelError(nameof(input.Status), "New licenses start as Trial or Active.");
        if (!input.SiteLicense && input.Seats is null)
            ModelState.AddModelError(nameof(input.Seats), $"Enter a number of seats from 1 to {LicenseRules.MaxSeats:N0}, or choose Site License.");
        if (!input.DoesNotExpire && input.LengthDays is null)
            ModelState.AddModelError(nameof(input.LengthDays), "Enter the number of days a license lasts, or choose Does not expire.");
        if (ModelState.IsValid)
        {
            var result = await commands.SetAssociationAsync(id, new LicenseDefaults(status, input.SiteLicense ? null : input.Seats, input.DoesNotExpire ? null : input.LengthDays), input.Version, ct);
            if (result.Succeeded)
            {
                TempData["Flash"] = "Package associated: installs now become leads and licenses with these defaults.";
                return Redirect($"/packages/{id}");
            }
            foreach (var e in result.Errors) ModelState.AddModelError(e.Field, e.Message);
        }
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        db.ChangeTracker.Clear();
        return View("Details", await LoadPageAsync(id, input, ct));
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/lead-manager")]
    public async Task<IActionResult> ChangeLeadManager(long id, string? leadManagerId, int version, CancellationToken ct)
    {
        if (!await db.Packages.AnyAsync(p => p.Id == id, ct)) return NotFound();
        var result = await commands.ChangeLeadManagerAsync(id, leadManagerId, version, ct);
        if (result.Succeeded)
        {
            TempData["Flash"] = "Lead manager changed: new leads from this package are owned by the new lead manager.";
            return Redirect($"/packages/{id}");
        }
        ModelState.Clear();
        foreach (var e in result.Errors) ModelState.AddModelError(e.Field, e.Message);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        db.ChangeTracker.Clear();
        return View("Details", await LoadPageAsync(id, null, ct));
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/refresh")]
    public async Task<IActionResult> Refresh(long id, CancellationToken ct)
    {
        var (result, _) = await commands.RequestRefreshAsync(id, manual: true, ct);
        if (result.Errors.Any(e => e.Code == PackageCommands.Codes.NotFound)) return NotFound();
        if (result.Succeeded) TempData["Flash"] = "Refresh Licenses started. The results appear on the Troubleshooting page when it finishes.";
        else TempData["FlashWarning"] = result.Errors[0].Message;
        return Redirect($"/packages/{id}");
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/retry")]
    public async Task<IActionResult> Retry(long id, CancellationToken ct)
    {
        if (!await db.Packages.AnyAsync(p => p.Id == id, ct)) return NotFound();
        var count = await commands.RetryHeldAsync(id, ct);
        TempData["Flash"] = count == 0 ? "No held installs to retry." : $"{count} held install event(s) sent back for processing.";
        return Redirect($"/packages/{id}/troubleshooting");
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

    private async Task<PackagePage?> LoadPageAsync(long id, AssociationInput? input, CancellationToken ct)
    {
        var package = await db.Packages.AsNoTracking().Include(p => p.LeadManager).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (package is null) return null;
        var versions = await db.PackageVersions.AsNoTracking().Where(v => v.PackageKey == id).OrderByDescending(v => v.VersionSortKey).ToListAsync(ct);
        var recent = await db.Licenses.AsNoTracking().Where(l => l.PackageKey == id).OrderByDescending(l => l.Id).Take(10).ToListAsync(ct);
        var counts = await db.Licenses.Where(l => l.PackageKey == id).GroupBy(l => l.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var held = await db.EventsOfPackage(id).CountAsync(e => e.State == InstallEventState.Held, ct);
        var lastRefresh = await db.LicenseRefreshes.AsNoTracking().Where(r => r.PackageKey == id).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var defaults = package.Defaults;
        input ??= new AssociationInput
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
