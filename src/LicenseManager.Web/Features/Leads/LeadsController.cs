using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.SavedViews;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Leads;

[Authorize(Policy = Policies.Read)]
[Route("leads")]
public sealed class LeadsController(LicenseManagerDbContext db, LeadConversion conversion) : Controller
{
    public static readonly IReadOnlyList<SortColumn<Lead>> Columns =
    [
        SortColumn.For<Lead, long>("created", "Created", l => l.Id),
        SortColumn.For<Lead, string>("name", "Name", l => l.LastName),
        SortColumn.For<Lead, string>("company", "Company", l => l.Company),
        SortColumn.For<Lead, string?>("email", "Email", l => l.Email),
        SortColumn.For<Lead, string>("source", "Lead Source", l => l.LeadSource),
        SortColumn.For<Lead, string?>("owner", "Owner", l => l.OwnerId),
    ];

    public sealed record LeadPage(Lead Lead, IReadOnlyList<License> Licenses, IReadOnlyList<LeadConversion.Suggestion> Suggestions);

    /// <summary>Leads created by installs; of one package's installs when given (through that package's licenses).</summary>
    public static IQueryable<Lead> FromInstalls(LicenseManagerDbContext db, long? packageKey)
    {
        var leads = db.Leads.AsNoTracking().Where(l => l.LeadSource == Lead.PackageInstallationSource);
        return packageKey is { } key ? leads.Where(l => db.Licenses.Any(x => x.LeadKey == l.Id && x.PackageKey == key)) : leads;
    }

    /// <summary>The leads list's filters; each that doesn't parse leaves its error in <paramref name="q"/> and is not applied.</summary>
    public static IQueryable<Lead> Filter(IQueryable<Lead> leads, ListRequest q, IQueryable<License> licenses)
    {
        if (q.PackageId("package") is { } package) leads = leads.Where(l => licenses.Any(x => x.LeadKey == l.Id && x.Package.PackageId == package));
        if (q.Date("createdAfter") is { } day)
        {
            var since = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            leads = leads.Where(l => l.CreatedAt >= since);
        }
        if (q.Text("source") is { } source) leads = leads.Where(l => l.LeadSource == source);
        if (q.Text("owner") is { } owner) leads = owner == "lma" ? leads.Where(l => l.OwnerId == null) : leads.Where(l => l.OwnerId == owner);
        if (q.Bool("converted") is { } converted) leads = leads.Where(l => l.IsConverted == converted);
        if (q.Text("q") is { } text)
            leads = text.Contains('@') ? leads.Where(l => l.Email == text) : leads.Where(l => l.LastName.StartsWith(text) || l.Company.StartsWith(text));
        return leads;
    }

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "created", true);
        var after = request.After(column);
        var page = await Keyset.PageAsync(Filter(db.Leads.AsNoTracking(), request, db.Licenses), column, desc, after, ListState.PageSize, ct);
        ViewData["Title"] = "Leads";
        ViewData["Section"] = "Leads";
        if (!request.IsValid) Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(new ListPage<Lead>("leads", "Leads", page.Rows,
            new ListState("/leads", Request.Query, column.Name, desc, page.NextCursor, after is null) { Errors = request.Errors },
            await SavedViewsController.ForAsync(db, User, "leads", ct))
        {
            UserNames = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct),
        });
    }

    [HttpGet("export")]
    public async Task Export(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "created", true);
        var query = Filter(db.Leads.AsNoTracking(), request, db.Licenses);
        if (!await ListExport.FiltersReadAsync(request, Response, ct)) return;
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var rows = CsvExport.AllPages(c => Keyset.PageAsync(query, column, desc, c, 1000, ct));
        await CsvExport.WriteAsync(Response, "leads.csv",
            ["First Name", "Last Name", "Company", "Email", "Phone", "State", "Country", "Lead Source", "Owner", "Converted", "Created"], Map(rows), ct);
        async IAsyncEnumerable<IReadOnlyList<string?>> Map(IAsyncEnumerable<Lead> leads)
        {
            await foreach (var l in leads)
                yield return [l.FirstName, l.LastName, l.Company, l.Email, l.Phone, l.State, l.Country, l.LeadSource,
                    l.OwnerId is null ? Actor.LmaName : users.GetValueOrDefault(l.OwnerId), Display.YesNo(l.IsConverted), l.CreatedAt.ToString("yyyy-MM-dd")];
        }
    }

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
        if (!await db.Leads.AnyAsync(l => l.Id == id, ct)) return NotFound();
        long? existing = long.TryParse(accountChoice, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var key) ? key : null;
        var (errors, contact) = await conversion.ConvertAsync(id, existing, newAccountName, ct);
        if (errors.Count == 0)
        {
            TempData["Flash"] = $"Lead converted: contact {contact!.FullName} at account {contact.Account.Name}. Its licenses now show that account and contact.";
            return Redirect($"/accounts/{contact.AccountKey}");
        }
        ModelState.Clear();
        foreach (var e in errors) ModelState.AddModelError(e.Field, e.Message);
        db.ChangeTracker.Clear();
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Details", await LoadAsync(id, ct));
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
