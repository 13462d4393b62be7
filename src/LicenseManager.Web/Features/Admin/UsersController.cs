using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Admin;

/// <summary>Administrators list users, create them, assign roles, deactivate and reactivate, and reset passwords.</summary>
[Authorize(Policy = Policies.Administer)]
[Route("admin/users")]
public sealed class UsersController(LicenseManagerDbContext db, UserManager<ApplicationUser> users, CreateUser createUser, SignIn.PasswordSignIn signIn) : Controller
{
    public sealed record UserRow(ApplicationUser User, IReadOnlyList<string> Roles);
    public sealed record UsersPage(IReadOnlyList<UserRow> Users, NewUserInput NewUser, string? OneTimePassword, string? OneTimePasswordFor);

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) => View(await LoadAsync(new NewUserInput(), ct));

    [HttpPost("")]
    public async Task<IActionResult> Create(NewUserInput input, CancellationToken ct)
    {
        var result = await createUser.ExecuteAsync(input, ct);
        if (!result.Succeeded)
        {
            result.ShowOn(this);
            return View("Index", await LoadAsync(input, ct));
        }
        var (user, password) = result.Value!;
        return View("Index", await LoadAsync(new NewUserInput(), ct) with { OneTimePassword = password, OneTimePasswordFor = user.Email });
    }

    [HttpPost("{id}/roles")]
    public async Task<IActionResult> SetRoles(string id, string[] roles, CancellationToken ct)
    {
        if (!Ids.IsUserId(id)) return BadRequest();
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        roles = roles.Where(Roles.All.Contains).Distinct().ToArray();
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Administrator) && !roles.Contains(Roles.Administrator) && await IsLastActiveAdministratorAsync(user))
        {
            TempData["FlashWarning"] = "You can't remove the Administrator role from the last active administrator.";
            return Redirect("/admin/users");
        }
        await users.RemoveFromRolesAsync(user, current.Except(roles));
        await users.AddToRolesAsync(user, roles.Except(current));
        await users.UpdateSecurityStampAsync(user);
        TempData["Flash"] = $"Roles of {user.DisplayName} saved.";
        return Redirect("/admin/users");
    }

    [HttpPost("{id}/active")]
    public async Task<IActionResult> SetActive(string id, bool active, CancellationToken ct)
    {
        if (!Ids.IsUserId(id)) return BadRequest();
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        if (!active && await IsLastActiveAdministratorAsync(user))
        {
            TempData["FlashWarning"] = "You can't deactivate the last active administrator.";
            return Redirect("/admin/users");
        }
        user.IsActive = active;
        await users.UpdateAsync(user);
        await users.UpdateSecurityStampAsync(user); // signs the user out everywhere within a minute
        var leadManagerOf = await db.Packages.Where(p => p.LeadManagerId == id).Select(p => p.Name).ToListAsync(ct);
        TempData["Flash"] = $"{user.DisplayName} {(active ? "reactivated" : "deactivated")}.";
        if (!active && leadManagerOf.Count > 0)
            TempData["FlashWarning"] = $"{user.DisplayName} is the lead manager of {string.Join(", ", leadManagerOf)}: new installs of those packages will be held until you choose another lead manager.";
        return Redirect("/admin/users");
    }

    [HttpPost("{id}/reset-password")]
    public async Task<IActionResult> ResetPassword(string id, CancellationToken ct)
    {
        if (!Ids.IsUserId(id)) return BadRequest();
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        var password = DatabaseInitializer.GeneratePassword();
        if (await users.HasPasswordAsync(user)) await users.RemovePasswordAsync(user);
        await users.AddPasswordAsync(user, password);
        user.MustChangePassword = true;
        await users.UpdateAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        if (user.NormalizedEmail is { } email) await signIn.ClearAsync(email, ct);
        await users.UpdateSecurityStampAsync(user);
        return View("Index", await LoadAsync(new NewUserInput(), ct) with { OneTimePassword = password, OneTimePasswordFor = user.Email });
    }

    private async Task<bool> IsLastActiveAdministratorAsync(ApplicationUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Administrator);
        return admins.Count(a => a.IsActive) <= 1 && admins.Any(a => a.Id == user.Id);
    }

    private async Task<UsersPage> LoadAsync(NewUserInput input, CancellationToken ct)
    {
        ViewData["Title"] = "Users";
        ViewData["Section"] = "Admin";
        var all = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Take(1000).ToListAsync(ct);
        var roleNames = await db.Roles.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name!, ct);
        var links = await db.UserRoles.AsNoTracking().ToListAsync(ct);
        var rows = all.Select(u => new UserRow(u, links.Where(l => l.UserId == u.Id).Select(l => roleNames[l.RoleId]).OrderBy(r => r).ToList())).ToList();
        return new UsersPage(rows, input, null, null);
    }
}
