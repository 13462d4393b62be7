using System.Security.Cryptography;
using System.Text;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using LicenseManager.Web.Infrastructure.Results;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>
/// API keys: created with a high-entropy secret shown once, stored as SHA-256, looked up by their public prefix and
/// compared in constant time. Lookups are kept in memory for a few seconds so a check costs no database round trip.
/// </summary>
public sealed class ApiKeyStore(IServiceScopeFactory scopes, IOptions<LicensingApiOptions> options, TimeProvider time)
{
    public const string KeyStart = "lma_";
    private const int PrefixRandomLength = 8;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    /// <summary>What the authentication handler needs to know about a key, cached briefly.</summary>
    public sealed record KeyRecord(long Id, string Name, byte[] SecretHash, IReadOnlyList<string> Scopes, IReadOnlyList<string> PackageIds, bool Revoked);

    public sealed record Created(ApiKey Key, string Secret);

    /// <summary>The stored comma-separated package list's column size.</summary>
    private const int MaxPackageListLength = 2000;

    public static IReadOnlyList<RuleViolation> Validate(string? name, IReadOnlyCollection<string> scopes)
    {
        var errors = new List<RuleViolation>();
        if (string.IsNullOrWhiteSpace(name)) errors.Add(new("Name", "name_required", "Enter a name that says who uses the key, e.g. the app or pipeline."));
        else if (name.Trim().Length > 100) errors.Add(new("Name", "name_too_long", "The name can be at most 100 characters."));
        if (scopes.Count == 0) errors.Add(new("Scopes", "scope_required", "Choose at least one scope: check, manage."));
        else if (scopes.FirstOrDefault(s => !ApiScopes.All.Contains(s)) is { } unknown)
            errors.Add(new("Scopes", "scope_unknown", $"Unknown scope '{unknown}': the scopes are check and manage."));
        return errors;
    }

    /// <summary>Creates a key (the value: the key and its secret, shown once), or says why not: name, scopes, packages.</summary>
    public async Task<CommandResult<Created>> CreateAsync(string? name, IReadOnlyCollection<string> scopeNames,
        IReadOnlyCollection<string> packageIds, CancellationToken ct)
    {
        var errors = Validate(name, scopeNames).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        if (packageIds.FirstOrDefault(p => !Ids.IsPackageId(p)) is { } malformed)
            errors.Add(new("Packages", "package_id_invalid",
                $"{System.Text.Json.JsonSerializer.Serialize(malformed)} is not a Package ID: give 18-character Package IDs (letters A-Z, a-z and digits 0-9), separated by commas."));
        else if (packageIds.Distinct().Sum(p => p.Length + 1) > MaxPackageListLength)
            errors.Add(new("Packages", "too_many_packages", $"A key can be limited to at most {MaxPackageListLength / 19} packages; leave the list empty for all packages."));
        else if (packageIds.Count > 0)
        {
            var known = await db.Packages.Where(p => packageIds.Contains(p.PackageId)).Select(p => p.PackageId).ToListAsync(ct);
            if (packageIds.FirstOrDefault(p => !known.Contains(p)) is { } missing)
                errors.Add(new("Packages", "package_unknown", $"No package has the id '{missing}'. Use 18-character package ids, separated by commas."));
        }
        if (errors.Count > 0) return CommandResult<Created>.Invalid(errors);

        var prefix = KeyStart + RandomText(PrefixRandomLength);
        var secret = prefix + "_" + RandomText(43);
        var key = new ApiKey
        {
            Name = name!.Trim(),
            Prefix = prefix,
            SecretHash = Hash(secret),
            Scopes = string.Join(',', ApiScopes.All.Where(scopeNames.Contains)),
            PackageIds = packageIds.Count == 0 ? null : string.Join(',', packageIds.Distinct()),
            CreatedAt = time.GetUtcNow().UtcDateTime,
            CreatedBy = db.Actor.Name,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return CommandResult<Created>.Success(new Created(key, secret));
    }

    public const string NotFoundCode = "api_key_not_found";

    /// <summary>Revokes a key (again: nothing changes); not found when no key has the id.</summary>
    public async Task<CommandResult> RevokeAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null) return CommandResult.NotFound(NotFoundCode, $"No API key has id {id}.");
        if (key.RevokedAt is null)
        {
            key.RevokedAt = time.GetUtcNow().UtcDateTime;
            key.RevokedBy = db.Actor.Name;
            await db.SaveChangesAsync(ct);
        }
        _cache.Remove(key.Prefix); // this node at once; other nodes within KeyCacheSeconds
        return CommandResult.Ok;
    }

    /// <summary>The key for a presented secret, or null when it is unknown, malformed, revoked or doesn't match.</summary>
    public async Task<KeyRecord?> FindAsync(string presented, CancellationToken ct)
    {
        var separator = KeyStart.Length + PrefixRandomLength;
        if (presented.Length is < 20 or > 200 || !presented.StartsWith(KeyStart, StringComparison.Ordinal) || presented[separator] != '_') return null;
        var prefix = presented[..separator];

        if (!_cache.TryGetValue(prefix, out KeyRecord? record))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix, ct);
            record = key is null ? null : new KeyRecord(key.Id, key.Name, key.SecretHash, key.ScopeList, key.PackageIdList, key.IsRevoked);
            _cache.Set(prefix, record, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(Math.Max(1, options.Value.KeyCacheSeconds)) });
        }
        if (record is null || record.Revoked) return null;
        return CryptographicOperations.FixedTimeEquals(Hash(presented), record.SecretHash) ? record : null;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string RandomText(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length); // 43 characters of 62: about 256 bits
    }
}
