using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Licenses;

[Authorize(Policy = Policies.Read)]
[Route("licenses")]
public sealed class LicensesController(LicenseManagerDbContext db, ModifyLicense modify, LicenseCheck check) : Controller
{
    public sealed record LicenseDetails(License License, IReadOnlyList<LicenseFieldChange> History, IReadOnlyList<string> Warnings)
    {
        /// <summary>Users holding a seat through the seat API (the first 200), and how many there are.</summary>
        public IReadOnlyList<SeatAssignment> Seats { get; init; } = [];
        public int SeatCount { get; init; }
    }

    public sealed class ModifyPage
    {
        public required License License { get; init; }
        public required ModifyLicenseInput Input { get; init; }
        public bool Conflict { get; init; }
    }

    [HttpGet("")]
    public Task<IActionResult> Index(CancellationToken ct) => ListPipeline.PageAsync(this, LicenseList.Definition, db, ct);

    [HttpGet("export")]
    public Task Export(CancellationToken ct) => ListPipeline.ExportAsync(this, LicenseList.Definition, db, ct);

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Details(long id, CancellationToken ct)
    {
        var license = await LoadAsync(id, ct);
        if (license is null) return NotFound();
        var history = await db.LicenseFieldChanges.AsNoTracking().Where(h => h.LicenseKey == id).OrderByDescending(h => h.Id).Take(200).ToListAsync(ct);
        ViewData["Title"] = $"License {license.Id}";
        ViewData["Section"] = "Licenses";
        var seats = db.SeatAssignments.AsNoTracking().Where(s => s.LicenseKey == id);
        return View(new LicenseDetails(license, history, LicenseRules.WarningsFor(license))
        {
            Seats = await seats.OrderBy(s => s.SubscriberUserId).Take(200).ToListAsync(ct),
            SeatCount = await seats.CountAsync(ct),
        });
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpGet("{id:long}/modify")]
    public async Task<IActionResult> Modify(long id, CancellationToken ct)
    {
        var license = await LoadAsync(id, ct);
        if (license is null) return NotFound();
        ViewData["Title"] = $"Modify License {license.Id}";
        ViewData["Section"] = "Licenses";
        return View(new ModifyPage { License = license, Input = ModifyLicense.InputFor(license) });
    }

    [Authorize(Policy = Policies.EditLicenses)]
    [HttpPost("{id:long}/modify")]
    public async Task<IActionResult> Modify(long id, ModifyLicenseInput input, CancellationToken ct)
    {
        var result = await modify.ExecuteAsync(id, input, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded)
        {
            TempData["Flash"] = $"License {id} saved: {ModifyLicense.Describe(result.Value!)}.";
            if (result.Warnings.Count > 0) TempData["FlashWarning"] = string.Join(" ", result.Warnings);
            return Redirect($"/licenses/{id}");
        }
        result.ShowOn(this);
        db.ChangeTracker.Clear();
        var license = await LoadAsync(id, ct);
        if (license is null) return NotFound();
        ViewData["Title"] = $"Modify License {license.Id}";
        ViewData["Section"] = "Licenses";
        // On a conflict the form shows the current values; otherwise the user's input stays for correction.
        var conflict = result.Status == CommandStatus.Conflict;
        return View(new ModifyPage { License = license, Input = conflict ? ModifyLicense.InputFor(license) : input, Conflict = conflict });
    }

    /// <summary>Guide, "Proxy User Has Deactivated": an administrator deletes the license of an org that no longer exists.</summary>
    [Authorize(Policy = Policies.Administer)]
    [HttpPost("{id:long}/delete")]
    public async Task<IActionResult> Delete(long id, string? confirmOrgId, CancellationToken ct)
    {
        var license = await db.Licenses.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (license is null) return NotFound();
        if (!string.Equals(confirmOrgId?.Trim(), license.SubscriberOrgId, StringComparison.Ordinal))
        {
            TempData["FlashWarning"] = $"To delete this license, type the subscriber org ID ({license.SubscriberOrgId}) to confirm.";
            return Redirect($"/licenses/{id}");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The installation log keeps the org's events, marked so a refresh doesn't rebuild the license; a new install does.
        await db.InstallEvents.Where(e => e.LicenseKey == id).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.LicenseKey, (long?)null).SetProperty(e => e.HoldCode, HoldCodes.LicenseDeleted), ct);
        var packageId = await db.Packages.Where(p => p.Id == license.PackageKey).Select(p => p.PackageId).FirstAsync(ct);
        db.Licenses.Remove(license);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        check.Invalidate(packageId, license.SubscriberOrgId); // after the commit: a check meanwhile still saw the license
        TempData["Flash"] = $"License {id} of org {license.SubscriberOrgId} deleted.";
        return Redirect("/licenses");
    }

    private Task<License?> LoadAsync(long id, CancellationToken ct) => db.Licenses.AsNoTracking()
        .Include(l => l.Package).Include(l => l.PackageVersion).Include(l => l.Lead).ThenInclude(l => l!.Owner)
        .Include(l => l.Account).Include(l => l.Contact)
        .FirstOrDefaultAsync(l => l.Id == id, ct);
}
