using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Leads;

[Authorize(Policy = Policies.Read)]
[Route("leads")]
public sealed class LeadsController(LicenseManagerDbContext db, LeadConversion conversion) : Controller
{
    public sealed record LeadPage(Lead Lead, IReadOnlyList<License> Licenses, IReadOnlyList<LeadConversion.Suggestion> Suggestions);

    [HttpGet("")]
    public Task<IActionResult> Index(CancellationToken ct) => ListPipeline.PageAsync(this, LeadList.Definition, db, ct);

    [HttpGet("export")]
    public Task Export(CancellationToken ct) => ListPipeline.ExportAsync(this, LeadList.Definition, db, ct);

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Details(long id, CancellationToken ct)
    {
        var page = await LoadAsync(id, ct);
        return page is null ? NotFound() : View(page);
    }

    [Authorize(Policy = Policies.ConvertLeads)]
    [HttpPost("{id:long}/convert")]
    public async Task<IActionResult> Convert(long id, string? accountChoice, string? newAccountName, CancellationToken ct)
    {
        long? existing = long.TryParse(accountChoice, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var key) ? key : null;
        var result = await conversion.ConvertAsync(id, existing, newAccountName, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded)
        {
            var contact = result.Value!;
            TempData["Flash"] = $"Lead converted: contact {contact.FullName} at account {contact.Account.Name}. Its licenses now show that account and contact.";
            return Redirect($"/accounts/{contact.AccountKey}");
        }
        result.ShowOn(this);
        db.ChangeTracker.Clear();
        var page = await LoadAsync(id, ct);
        return page is null ? NotFound() : View("Details", page);
    }

    private async Task<LeadPage?> LoadAsync(long id, CancellationToken ct)
    {
        var lead = await db.Leads.AsNoTracking().Include(l => l.Owner).Include(l => l.ConvertedAccount).Include(l => l.ConvertedContact)
            .FirstOrDefaultAsync(l => l.Id == id, ct);
        if (lead is null) return null;
        var licenses = await db.Licenses.AsNoTracking().Include(l => l.Package).Where(l => l.LeadKey == id).OrderByDescending(l => l.Id).Take(100).ToListAsync(ct);
        var suggestions = lead.IsConverted ? [] : await conversion.SuggestAccountsAsync(lead, ct);
        ViewData["Title"] = lead.FullName;
        ViewData["Section"] = "Leads";
        return new LeadPage(lead, licenses, suggestions);
    }
}
