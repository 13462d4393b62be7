using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
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
    public sealed record ContactPage(Contact Contact, IReadOnlyList<License> Licenses);

    [HttpGet("")]
    public Task<IActionResult> Index(CancellationToken ct) => ListPipeline.PageAsync(this, ContactList.Definition, db, ct);

    [HttpGet("export")]
    public Task Export(CancellationToken ct) => ListPipeline.ExportAsync(this, ContactList.Definition, db, ct);

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
