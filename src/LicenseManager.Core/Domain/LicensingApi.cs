namespace LicenseManager.Core.Domain;

/// <summary>What an API key may do: license checks and seats, and/or the management API.</summary>
public static class ApiScopes
{
    public const string Check = "check";
    public const string Manage = "manage";
    public static readonly IReadOnlyList<string> All = [Check, Manage];
}

/// <summary>
/// A key the ISV's own app (or automation) sends as `Authorization: Bearer lma_...`. Only a SHA-256 hash of the key
/// is stored; the key is shown once when created. The prefix identifies the row and is safe to display.
/// </summary>
public class ApiKey
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The public start of the key ("lma_" + 8 characters): looks the key up, shown in the list.</summary>
    public string Prefix { get; set; } = "";
    /// <summary>SHA-256 of the whole key.</summary>
    public byte[] SecretHash { get; set; } = [];
    /// <summary>Comma-separated scopes, see <see cref="ApiScopes"/>.</summary>
    public string Scopes { get; set; } = "";
    /// <summary>Comma-separated 18-character package ids the key is limited to; null for every package.</summary>
    public string? PackageIds { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    /// <summary>Written off the request path, at most about once a minute per node (see the usage flush).</summary>
    public DateTime? LastUsedAt { get; set; }

    public bool IsRevoked => RevokedAt is not null;
    public IReadOnlyList<string> ScopeList => Split(Scopes);
    public IReadOnlyList<string> PackageIdList => Split(PackageIds);

    public static IReadOnlyList<string> Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A subscriber user who holds one seat of a license (UserPackageLicense).</summary>
public class SeatAssignment
{
    public long Id { get; set; }
    public long LicenseKey { get; set; }
    /// <summary>The subscriber org's id for the user, as the ISV's app knows it.</summary>
    public string SubscriberUserId { get; set; } = "";
    public DateTime AssignedAt { get; set; }
    public string AssignedBy { get; set; } = "";
}

/// <summary>
/// An ES256 key that signs offline license tokens. The private key is stored encrypted with ASP.NET Data Protection
/// (whose keys are in the database); the public part is published in the JWKS until tokens it signed have expired.
/// </summary>
public class SigningKey
{
    public long Id { get; set; }
    public string KeyId { get; set; } = "";
    /// <summary>Base64url P-256 public coordinates, as a JWK publishes them.</summary>
    public string PublicX { get; set; } = "";
    public string PublicY { get; set; } = "";
    public string ProtectedPrivateKey { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>When a newer key replaced this one; it stays published until its last token expires.</summary>
    public DateTime? RetiredAt { get; set; }
}
