using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
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
    public sealed record AccountPage(Account Account, IReadOnlyList<Contact> Contacts, IReadOnlyList<License> Licenses);

    [HttpGet("")]
    public Task<IActionResult> Index(CancellationToken ct) => ListPipeline.PageAsync(this, AccountList.Definition, db, ct);

    [HttpGet("export")]
    public Task Export(CancellationToken ct) => ListPipeline.ExportAsync(this, AccountList.Definition, db, ct);

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
