using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.SavedViews;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Contacts;

[Authorize(Policy = Policies.Read)]
[Route("contacts")]
public sealed class ContactsController(LicenseManagerDbContext db) : Controller
{
    public static readonly IReadOnlyList<SortColumn<Contact>> Columns =
    [
        SortColumn.For<Contact, string>("name", "Name", c => c.LastName),
        SortColumn.For<Contact, string?>("email", "Email", c => c.Email),
        SortColumn.For<Contact, long>("account", "Account", c => c.AccountKey),
        SortColumn.For<Contact, long>("created", "Created", c => c.Id),
    ];

    public sealed record ContactPage(Contact Contact, IReadOnlyList<License> Licenses);

    private static IQueryable<Contact> Filter(IQueryable<Contact> contacts, ListRequest q)
    {
        if (q.Number("account") is { } account) contacts = contacts.Where(c => c.AccountKey == account);
        if (q.Text("q") is { } text) contacts = text.Contains('@') ? contacts.Where(c => c.Email == text) : contacts.Where(c => c.LastName.StartsWith(text));
        return contacts;
    }

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "name", false);
        var after = request.After(column);
        var page = await Keyset.PageAsync(Filter(db.Contacts.AsNoTracking().Include(c => c.Account), request), column, desc, after, ListState.PageSize, ct);
        ViewData["Title"] = "Contacts";
        ViewData["Section"] = "Contacts";
        if (!request.IsValid) Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(new ListPage<Contact>("contacts", "Contacts", page.Rows,
            new ListState("/contacts", Request.Query, column.Name, desc, page.NextCursor, after is null) { Errors = request.Errors },
            await SavedViewsController.ForAsync(db, User, "contacts", ct)));
    }

    [HttpGet("export")]
    public async Task Export(CancellationToken ct)
    {
        var request = new ListRequest(Request.Query);
        var (column, desc) = request.Sort(Columns, "name", false);
        var query = Filter(db.Contacts.AsNoTracking().Include(c => c.Account), request);
        if (!await ListExport.FiltersReadAsync(request, Response, ct)) return;
        var rows = CsvExport.AllPages(c => Keyset.PageAsync(query, column, desc, c, 1000, ct));
        await CsvExport.WriteAsync(Response, "contacts.csv", ["First Name", "Last Name", "Email", "Phone", "Title", "Account"], Map(rows), ct);
        static async IAsyncEnumerable<IReadOnlyList<string?>> Map(IAsyncEnumerable<Contact> contacts)
        {
            await foreach (var c in contacts) yield return [c.FirstName, c.LastName, c.Email, c.Phone, c.Title, c.Account.Name];
        }
    }

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Details(long id, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Include(c => c.Account).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return NotFound();
        var licenses = await db.Licenses.AsNoTracking().Include(l => l.Package).Where(l => l.ContactKey == id).OrderByDescending(l => l.Id).Take(200).ToListAsync(ct);
        ViewData["Title"] = contact.FullName;
        ViewData["Section"] = "Contacts";
        return View(new ContactPage(contact, licenses));
    }
}
