using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.SavedViews;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Accounts;

[Authorize(Policy = Policies.Read)]
[Route("accounts")]
public sealed class AccountsController(LicenseManagerDbContext db) : Controller
{
    public static readonly IReadOnlyList<SortColumn<Account>> Columns =
    [
        SortColumn.For<Account, string>("name", "Account Name", a => a.Name),
        SortColumn.For<Account, long>("created", "Created", a => a.Id),
    ];

    public sealed record AccountPage(Account Account, IReadOnlyList<Contact> Contacts, IReadOnlyList<License> Licenses);

    private static IQueryable<Account> Filter(IQueryable<Account> accounts, ListRequest q) =>
        q.Text("q") is { } text ? accounts.Where(a => a.Name.StartsWith(text)) : accounts;

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "name", false);
        var after = request.After(column);
        var page = await Keyset.PageAsync(Filter(db.Accounts.AsNoTracking(), request), column, desc, after, ListState.PageSize, ct);
        ViewData["Title"] = "Accounts";
        ViewData["Section"] = "Accounts";
        if (!request.IsValid) Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(new ListPage<Account>("accounts", "Accounts", page.Rows,
            new ListState("/accounts", Request.Query, column.Name, desc, page.NextCursor, after is null) { Errors = request.Errors },
            await SavedViewsController.ForAsync(db, User, "accounts", ct)));
    }

    [HttpGet("export")]
    public async Task Export(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "name", false);
        var query = Filter(db.Accounts.AsNoTracking(), request);
        if (!await ListExport.FiltersReadAsync(request, Response, ct)) return;
        var rows = CsvExport.AllPages(c => Keyset.PageAsync(query, column, desc, c, 1000, ct));
        await CsvExport.WriteAsync(Response, "accounts.csv", ["Account Name", "Phone", "Website", "State", "Country", "Created"], Map(rows), ct);
        static async IAsyncEnumerable<IReadOnlyList<string?>> Map(IAsyncEnumerable<Account> accounts)
        {
            await foreach (var a in accounts) yield return [a.Name, a.Phone, a.Website, a.State, a.Country, a.CreatedAt.ToString("yyyy-MM-dd")];
        }
    }

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Details(long id, CancellationToken ct)
    {
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (account is null) return NotFound();
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountKey == id).OrderBy(c => c.LastName).Take(200).ToListAsync(ct);
        var licenses = await db.Licenses.AsNoTracking().Include(l => l.Package).Where(l => l.AccountKey == id).OrderByDescending(l => l.Id).Take(200).ToListAsync(ct);
        ViewData["Title"] = account.Name;
        ViewData["Section"] = "Accounts";
        return View(new AccountPage(account, contacts, licenses));
    }
}
