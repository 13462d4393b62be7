using LicenseManager.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>What a list looks up besides its rows: names it shows for keys, and the package filter's choices.</summary>
[Flags]
public enum ListLookups
{
    None = 0,
    PackageNames = 1,
    UserNames = 2,
    /// <summary>The package filter's choices (pages only; an export has no form).</summary>
    PackageChoices = 4,
}

/// <summary>The names a list's rows show for keys: package names by package key, user display names by user id.</summary>
public sealed class ListNames
{
    public static readonly ListNames None = new();

    public IReadOnlyDictionary<long, string> Packages { get; private init; } = new Dictionary<long, string>();
    public IReadOnlyDictionary<string, string> Users { get; private init; } = new Dictionary<string, string>();
    public IReadOnlyList<(string PackageId, string Name)> PackageChoices { get; private init; } = [];

    public string? Package(long key) => Packages.GetValueOrDefault(key);
    public string? User(string id) => Users.GetValueOrDefault(id);

    public static async Task<ListNames> LoadAsync(LicenseManagerDbContext db, ListLookups lookups, CancellationToken ct)
    {
        if (lookups == ListLookups.None) return None;
        return new ListNames
        {
            Packages = lookups.HasFlag(ListLookups.PackageNames)
                ? await db.Packages.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct) : new Dictionary<long, string>(),
            Users = lookups.HasFlag(ListLookups.UserNames)
                ? await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct) : new Dictionary<string, string>(),
            PackageChoices = lookups.HasFlag(ListLookups.PackageChoices)
                ? (await db.Packages.AsNoTracking().OrderBy(p => p.Name).Select(p => new { p.PackageId, p.Name }).ToListAsync(ct)).Select(p => (p.PackageId, p.Name)).ToList()
                : [],
        };
    }
}
