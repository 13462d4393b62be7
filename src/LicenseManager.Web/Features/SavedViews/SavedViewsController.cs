using System.Security.Claims;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.SavedViews;

/// <summary>Users save their own filtered list views and delete them again.</summary>
[Authorize(Policy = Policies.Read)]
[Route("saved-views")]
public sealed class SavedViewsController(LicenseManagerDbContext db, TimeProvider time) : Controller
{
    /// <summary>The lists a view can be saved of, by name, with their page's path (from the lists' definitions).</summary>
    public static readonly IReadOnlyDictionary<string, string> Lists = new (string Name, string Path)[]
    {
        (Licenses.LicenseList.Definition.Name, Licenses.LicenseList.Definition.Path),
        (Leads.LeadList.Definition.Name, Leads.LeadList.Definition.Path),
        (Packages.PackageList.Definition.Name, Packages.PackageList.Definition.Path),
        (PackageVersions.PackageVersionList.Definition.Name, PackageVersions.PackageVersionList.Definition.Path),
        (Accounts.AccountList.Definition.Name, Accounts.AccountList.Definition.Path),
        (Contacts.ContactList.Definition.Name, Contacts.ContactList.Definition.Path),
    }.ToDictionary(l => l.Name, l => l.Path);

    public static Task<List<SavedView>> ForAsync(LicenseManagerDbContext db, ClaimsPrincipal user, string list, CancellationToken ct)
    {
        var owner = user.FindFirstValue(ClaimTypes.NameIdentifier);
        return db.SavedViews.AsNoTracking().Where(v => v.OwnerId == owner && v.List == list).OrderBy(v => v.Name).ToListAsync(ct);
    }

    [HttpPost("")]
    public async Task<IActionResult> Save(string list, string? name, string? query, CancellationToken ct)
    {
        if (!Lists.TryGetValue(list ?? "", out var path)) return BadRequest();
        name = (name ?? "").Trim();
        query = Normalise(query ?? "");
        var back = path + query;
        if (name.Length is 0 or > 100)
        {
            TempData["FlashWarning"] = "Give the view a name of 1 to 100 characters.";
            return Redirect(back);
        }
        if (query.Length > 2000)
        {
            TempData["FlashWarning"] = "This view has too many filters to save.";
            return Redirect(back);
        }
        var owner = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var existing = await db.SavedViews.FirstOrDefaultAsync(v => v.OwnerId == owner && v.List == list && v.Name == name, ct);
        if (existing is null)
            db.SavedViews.Add(new SavedView { OwnerId = owner, List = list!, Name = name, Query = query, CreatedAt = time.GetUtcNow().UtcDateTime });
        else
            existing.Query = query;
        await db.SaveChangesAsync(ct);
        TempData["Flash"] = $"View \"{name}\" saved.";
        return Redirect(back);
    }

    /// <summary>
    /// The filters re-encoded ("?q=Zoë" is stored as "?q=Zo%C3%AB"): the saved query goes into links and the Location
    /// header as it is, and a header can carry only ASCII without line breaks. The cursor is not part of a view.
    /// </summary>
    private static string Normalise(string query)
    {
        var parsed = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query.StartsWith('?') ? query : "?" + query);
        return QueryString.Create(parsed.Where(kv => kv.Key is not ("after" or "format"))
            .SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string?>(kv.Key, v)))).ToUriComponent();
    }

    [HttpPost("{id:long}/delete")]
    public async Task<IActionResult> Delete(long id, CancellationToken ct)
    {
        var owner = User.FindFirstValue(ClaimTypes.NameIdentifier);
        var view = await db.SavedViews.FirstOrDefaultAsync(v => v.Id == id && v.OwnerId == owner, ct);
        if (view is null) return NotFound();
        db.SavedViews.Remove(view);
        await db.SaveChangesAsync(ct);
        TempData["Flash"] = $"View \"{view.Name}\" deleted.";
        return Redirect(Lists.GetValueOrDefault(view.List, "/"));
    }
}
