using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Home;

[Authorize]
public sealed class HomeController(LicenseManagerDbContext db, TimeProvider time) : Controller
{
    public sealed record Summary(
        IReadOnlyDictionary<LicenseStatus, int> LicensesByStatus,
        int Packages,
        int UnassociatedPackages,
        int OpenLeads,
        int HeldInstalls,
        int ExpiringIn30Days,
        DateOnly Today);

    [HttpGet("/")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        ViewData["Title"] = "Home";
        if (!Roles.All.Any(User.IsInRole))
            return View("NoRole");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var in30 = today.AddDays(30);
        var byStatus = await db.Licenses.GroupBy(l => l.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return View(new Summary(
            byStatus,
            await db.Packages.CountAsync(ct),
            await db.Packages.CountAsync(p => !p.IsAssociated, ct),
            await db.Leads.CountAsync(l => !l.IsConverted && l.LeadSource == Lead.PackageInstallationSource, ct),
            await db.InstallEvents.CountAsync(e => e.State == InstallEventState.Held, ct),
            await db.Licenses.CountAsync(l => l.Status != LicenseStatus.Uninstalled && l.ExpirationDate >= today && l.ExpirationDate <= in30, ct),
            today));
    }
}
