using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Tokens;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>Administrators create, scope, limit and revoke the API keys of the licensing API, and rotate the token signing key.</summary>
[Authorize(Policy = Policies.Administer)]
[Route("admin/api-keys")]
public sealed class ApiKeysController(LicenseManagerDbContext db, ApiKeyStore keys, SigningKeys signingKeys) : Controller
{
    public sealed class NewKeyInput
    {
        public string Name { get; set; } = "";
        public string[] Scopes { get; set; } = [ApiScopes.Check];
        /// <summary>Comma-separated 18-character package ids; empty for every package.</summary>
        public string? Packages { get; set; }
    }

    public sealed record KeysPage(IReadOnlyList<ApiKey> Keys, NewKeyInput NewKey, string? CreatedSecret, string? CreatedName, IReadOnlyList<SigningKey> SigningKeys);

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) => View(await LoadAsync(new NewKeyInput(), ct));

    [HttpPost("")]
    public async Task<IActionResult> Create(NewKeyInput input, CancellationToken ct)
    {
        var result = await keys.CreateAsync(input.Name, input.Scopes ?? [], ApiKey.Split(input.Packages), ct);
        if (!result.Succeeded)
        {
            result.ShowOn(this);
            return View("Index", await LoadAsync(input, ct));
        }
        var created = result.Value!;
        return View("Index", await LoadAsync(new NewKeyInput(), ct) with { CreatedSecret = created.Secret, CreatedName = created.Key.Name });
    }

    [HttpPost("{id:long}/revoke")]
    public async Task<IActionResult> Revoke(long id, CancellationToken ct)
    {
        if ((await keys.RevokeAsync(id, ct)).Status == CommandStatus.NotFound) return NotFound();
        TempData["Flash"] = $"API key {id} revoked: requests with it are refused (on other servers within {HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<LicensingApiOptions>>().Value.KeyCacheSeconds} seconds).";
        return Redirect("/admin/api-keys");
    }

    [HttpPost("rotate-signing-key")]
    public async Task<IActionResult> RotateSigningKey(CancellationToken ct)
    {
        var kid = await signingKeys.RotateAsync(ct);
        TempData["Flash"] = $"License tokens are now signed with key {kid}. The previous key stays published until its tokens expire.";
        return Redirect("/admin/api-keys");
    }

    private async Task<KeysPage> LoadAsync(NewKeyInput input, CancellationToken ct)
    {
        ViewData["Title"] = "API keys";
        ViewData["Section"] = "Admin";
        var list = await db.ApiKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenBy(k => k.Name).ThenBy(k => k.Id).Take(1000).ToListAsync(ct);
        var signing = await db.SigningKeys.AsNoTracking().OrderByDescending(k => k.Id).Take(20).ToListAsync(ct);
        return new KeysPage(list, input, null, null, signing);
    }
}
