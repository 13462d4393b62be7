using System.Globalization;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.SavedViews;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
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
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(LicenseFilter.Columns, "name", true);
        var after = request.After(column);
        var query = LicenseFilter.From(request).Apply(db.Licenses.AsNoTracking());
        var page = await Keyset.PageAsync(query, column, desc, after, ListState.PageSize, ct);
        ViewData["Title"] = "Licenses";
        ViewData["Section"] = "Licenses";
        // Filters that didn't parse: shown beside their fields, the others applied.
        if (!request.IsValid) Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(new ListPage<License>("licenses", "Licenses", page.Rows,
            new ListState("/licenses", Request.Query, column.Name, desc, page.NextCursor, after is null) { Errors = request.Errors },
            await SavedViewsController.ForAsync(db, User, "licenses", ct))
        {
            PackageNames = await db.Packages.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct),
            PackageChoices = await PackageChoicesAsync(db, ct),
        });
    }

    /// <summary>The package filter's choices: Package ID and name.</summary>
    public static async Task<IReadOnlyList<(string PackageId, string Name)>> PackageChoicesAsync(LicenseManagerDbContext db, CancellationToken ct) =>
        (await db.Packages.AsNoTracking().OrderBy(p => p.Name).Select(p => new { p.PackageId, p.Name }).ToListAsync(ct)).Select(p => (p.PackageId, p.Name)).ToList();

    [HttpGet("export")]
    public async Task Export(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(LicenseFilter.Columns, "name", true);
        var query = LicenseFilter.From(request).Apply(db.Licenses.AsNoTracking());
        if (!await ListExport.FiltersReadAsync(request, Response, ct)) return;
        var packages = await db.Packages.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        string[] headers = ["License Name", "Package", "Package Version Number", "Subscriber Org ID", "Org Name", "License Status", "Licensed Seats",
            "Used Licenses", "Expiration Date", "Install Date", "Org Edition", "Org Status", "Org Expiration Date", "Sandbox", "Instance", "Information Current As Of"];
        var rows = CsvExport.AllPages(cursor => Keyset.PageAsync(query, column, desc, cursor, 1000, ct));
        await CsvExport.WriteAsync(Response, "licenses.csv", headers, Rows(rows), ct);

        async IAsyncEnumerable<IReadOnlyList<string?>> Rows(IAsyncEnumerable<License> licenses)
        {
            var inv = CultureInfo.InvariantCulture;
            await foreach (var l in licenses)
                yield return [l.Id.ToString(inv), packages.GetValueOrDefault(l.PackageKey), l.PackageVersionNumber, l.SubscriberOrgId, l.OrgName, l.Status.ToString(),
                    Display.Seats(l.Seats), Display.UsedLicenses(l), Display.Expiration(l.ExpirationDate), l.InstallDate.ToString("yyyy-MM-dd", inv),
                    l.OrgEdition, l.OrgStatus.ToString(), l.OrgExpirationDate?.ToString("yyyy-MM-dd", inv), Display.YesNo(l.IsSandbox), l.Instance,
                    l.InformationCurrentAsOf?.ToString("yyyy-MM-dd HH:mm:ss'Z'", inv)];
        }
    }

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
        if (!await db.Licenses.AnyAsync(l => l.Id == id, ct)) return NotFound();
        ModelState.Clear(); // the rules below decide, with their own messages
        var outcome = await modify.ExecuteAsync(id, input, ct);
        if (outcome.Succeeded)
        {
            TempData["Flash"] = $"License {id} saved: {ModifyLicense.Describe(outcome.License!)}.";
            if (outcome.Warnings.Count > 0) TempData["FlashWarning"] = string.Join(" ", outcome.Warnings);
            return Redirect($"/licenses/{id}");
        }
        foreach (var error in outcome.Errors) ModelState.AddModelError(error.Field, error.Message);
        db.ChangeTracker.Clear();
        var license = (await LoadAsync(id, ct))!;
        Response.StatusCode = outcome.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
        ViewData["Title"] = $"Modify License {license.Id}";
        ViewData["Section"] = "Licenses";
        // On a conflict the form shows the current values; otherwise the user's input stays for correction.
        return View(new ModifyPage { License = license, Input = outcome.Conflict ? ModifyLicense.InputFor(license) : input, Conflict = outcome.Conflict });
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
