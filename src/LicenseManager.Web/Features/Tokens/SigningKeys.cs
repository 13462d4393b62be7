using System.Security.Cryptography;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace LicenseManager.Web.Features.Tokens;

/// <summary>
/// ES256 signing keys for offline license tokens. The private key is encrypted with ASP.NET Data Protection, whose
/// key ring is in the database, so every node can sign and no key file sits next to the binary. Rotation retires the
/// current key; a retired key stays in the JWKS until every token it signed has expired.
/// </summary>
public sealed class SigningKeys(IServiceScopeFactory scopes, IDataProtectionProvider protection, IOptions<LicensingApiOptions> options, TimeProvider time)
{
    private const string Purpose = "LicenseManager.LicenseTokens.SigningKey.v1";
    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTime LoadedAt, SigningKey Key, ECDsaSecurityKey Security)? _current;

    /// <summary>How long this node signs with a key it has loaded before looking for a newer one (rotation on another node).</summary>
    private static readonly TimeSpan Reload = TimeSpan.FromMinutes(1);

    /// <summary>Creates the first key if there is none (first start). Safe on several nodes: each then signs with the newest.</summary>
    public async Task EnsureKeyAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        if (!await db.SigningKeys.AnyAsync(k => k.RetiredAt == null, ct)) await CreateAsync(db, ct);
    }

    /// <summary>Retires the current key and starts signing with a new one. Returns the new key id.</summary>
    public async Task<string> RotateAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        await db.SigningKeys.Where(k => k.RetiredAt == null).ExecuteUpdateAsync(s => s.SetProperty(k => k.RetiredAt, now), ct);
        var key = await CreateAsync(db, ct);
        _current = null;
        return key.KeyId;
    }

    public async Task<(string KeyId, SigningCredentials Credentials)> CurrentAsync(CancellationToken ct)
    {
        if (_current is { } c && time.GetUtcNow().UtcDateTime - c.LoadedAt < Reload)
            return (c.Key.KeyId, new SigningCredentials(c.Security, SecurityAlgorithms.EcdsaSha256));
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var key = await db.SigningKeys.AsNoTracking().Where(k => k.RetiredAt == null).OrderByDescending(k => k.Id).FirstOrDefaultAsync(ct)
                      ?? await CreateAsync(db, ct);
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(_protector.Unprotect(key.ProtectedPrivateKey)), out _);
            var security = new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId };
            _current = (time.GetUtcNow().UtcDateTime, key, security);
            return (key.KeyId, new SigningCredentials(security, SecurityAlgorithms.EcdsaSha256));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A stored key's private key (PKCS#8), for Move the LMA, which carries it re-encrypted under a passphrase.</summary>
    public byte[] UnprotectPrivateKey(SigningKey key) => Convert.FromBase64String(_protector.Unprotect(key.ProtectedPrivateKey));

    /// <summary>Encrypts an imported private key with this instance's Data Protection, as <see cref="CreateAsync"/> does.</summary>
    public string ProtectPrivateKey(byte[] pkcs8) => _protector.Protect(Convert.ToBase64String(pkcs8));

    /// <summary>After an import replaced the keys: sign with the imported current key from the next token on.</summary>
    public void ForgetLoadedKey() => _current = null;

    /// <summary>The current keys and the retired ones whose tokens may still be valid.</summary>
    public async Task<JsonWebKeySetDocument> PublishedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        // A token signed just before retirement lives TokenLifetime; a little clock skew on top.
        var publishedSince = time.GetUtcNow().UtcDateTime - options.Value.TokenLifetime - TimeSpan.FromMinutes(5);
        var keys = await db.SigningKeys.AsNoTracking().Where(k => k.RetiredAt == null || k.RetiredAt > publishedSince)
            .OrderByDescending(k => k.Id).ToListAsync(ct);
        return new JsonWebKeySetDocument([.. keys.Select(k => new PublicJwk("EC", "P-256", k.PublicX, k.PublicY, k.KeyId, "sig", "ES256"))]);
    }

    private async Task<SigningKey> CreateAsync(LicenseManagerDbContext db, CancellationToken ct)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var key = new SigningKey
        {
            KeyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
            PublicX = Base64UrlEncoder.Encode(parameters.Q.X!),
            PublicY = Base64UrlEncoder.Encode(parameters.Q.Y!),
            ProtectedPrivateKey = _protector.Protect(Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey())),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.SigningKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return key;
    }
}
