using System.Globalization;

namespace LicenseManager.Benchmarks;

/// <summary>A package of the data set with its one version used by the generated licenses.</summary>
public sealed record BenchPackage(long Key, string PackageId, string Name, long VersionKey, string VersionId, string VersionNumber, int FirstLicense, int LicenseCount);

/// <summary>
/// The generated data set, deterministic from its sizes: 50 packages (a flagship holding most installs for Refresh
/// Licenses, one of <see cref="BenchmarkOptions.ExportLicenses"/> licenses for the CSV export, 48 small ones), one lead and
/// one install log row per license, an uninstall row for uninstalled ones, accounts owning every tenth license.
/// Extra packages (associated, empty) take the install bursts and the write-limit rows.
/// </summary>
public sealed class DataSet
{
    public const string System = "License Management App";
    public const int RegularPackages = 50;
    public static readonly DateTime Now = DateTime.UtcNow;
    public static readonly DateOnly Today = DateOnly.FromDateTime(Now);

    public int Licenses { get; }
    public int Accounts { get; }
    public IReadOnlyList<BenchPackage> Packages { get; }
    public BenchPackage Flagship => Packages[0];
    public BenchPackage Export => Packages[1];
    public IReadOnlyList<BenchPackage> BurstPackages { get; }
    public IReadOnlyList<BenchPackage> PacedPackages { get; }
    public IReadOnlyList<BenchPackage> LimitPackages { get; }
    /// <summary>The rows of the naive baseline (one Hangfire job per event), one package per run.</summary>
    public IReadOnlyList<BenchPackage> BaselinePackages { get; }
    /// <summary>Takes the one install event that changes the data before the dashboard's uncached request.</summary>
    public BenchPackage ChangePackage { get; }
    public IEnumerable<BenchPackage> AllPackages => Packages.Concat(BurstPackages).Concat(PacedPackages).Concat(LimitPackages).Concat(BaselinePackages).Append(ChangePackage);

    public DataSet(int licenses, int exportLicenses, int runs)
    {
        Licenses = licenses;
        Accounts = Math.Max(10, licenses / 100);
        var small = RegularPackages - 2;
        var perSmall = Math.Max(1, licenses / 20 / small); // 5% over the small packages
        var flagship = licenses - exportLicenses - perSmall * small;
        var list = new List<BenchPackage> { Make(1, "Flagship CRM", 0, flagship), Make(2, "Export Suite", flagship, exportLicenses) };
        var start = flagship + exportLicenses;
        for (var p = 3; p <= RegularPackages; p++, start += perSmall) list.Add(Make(p, $"{Words[p % Words.Length]} {Words[(p * 7) % Words.Length]} Pack", start, perSmall));
        Packages = list;
        var next = RegularPackages + 1;
        BurstPackages = Enumerable.Range(0, runs).Select(r => Make(next++, $"Burst Target {r + 1}", 0, 0)).ToList();
        PacedPackages = Enumerable.Range(0, runs).Select(r => Make(next++, $"Paced Target {r + 1}", 0, 0)).ToList();
        LimitPackages = Enumerable.Range(0, runs).Select(r => Make(next++, $"Write Limit {r + 1}", 0, 0)).ToList();
        BaselinePackages = Enumerable.Range(0, runs).Select(r => Make(next++, $"Hangfire Baseline {r + 1}", 0, 0)).ToList();
        ChangePackage = Make(next, "Dashboard Change", 0, 0);
    }

    private static BenchPackage Make(int key, string name, int first, int count) => new(key,
        $"0330000000{key:D8}", name, key, $"04t0000000{key:D8}", $"2.{key % 10}.0", first, count);

    public BenchPackage PackageOf(int license)
    {
        foreach (var p in Packages)
            if (license >= p.FirstLicense && license < p.FirstLicense + p.LicenseCount) return p;
        throw new ArgumentOutOfRangeException(nameof(license));
    }

    /// <summary>Subscriber org id (15 characters): a kind letter, a run digit and a sequence number.</summary>
    public static string OrgId(char kind, int run, int seq) => string.Create(CultureInfo.InvariantCulture, $"00D{kind}{run % 10}{seq:D10}");

    public static readonly string[] Words =
    [
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent", "Cyberdyne", "Tyrell",
        "Massive", "Dynamic", "Blue", "Northern", "Pacific", "Atlas", "Summit", "Pioneer", "Vertex", "Quantum", "Silver", "Granite",
        "Harbor", "Cedar", "Falcon", "Orion", "Nimbus", "Zenith", "Apex", "Beacon", "Crescent", "Delta", "Evergreen", "Frontier",
        "Golden", "Horizon", "Ivory", "Juniper", "Keystone", "Lumen", "Meridian", "Nova", "Oak", "Prairie", "Redwood", "Sterling",
    ];

    public static readonly string[] Kinds = ["Systems", "Labs", "Holdings", "Industries", "Logistics", "Health", "Foods", "Energy", "Media", "Bank"];
}

/// <summary>One generated license with its lead and install log row(s), computed from its index alone.</summary>
public readonly struct LicenseRow
{
    public readonly int Index;
    public readonly long Id;
    public readonly BenchPackage Package;
    public readonly string OrgId;
    public readonly string OrgName;
    public readonly int Status; // LicenseStatus: 0 Trial, 1 Active, 2 Suspended, 3 Uninstalled
    public readonly int? Seats;
    public readonly int? Used;
    public readonly DateOnly? Expiration;
    public readonly DateTime InstalledAt;
    public readonly string Edition;
    public readonly int OrgStatus; // 0 Trial, 1 Active, 2 Free
    public readonly bool Sandbox;
    public readonly long? AccountKey;
    public readonly string FirstName;
    public readonly string LastName;
    public readonly string Email;
    /// <summary>The latest lifecycle event: the uninstall a day after install for uninstalled licenses.</summary>
    public DateTime LastEventAt => Status == 3 ? InstalledAt.AddDays(1) : InstalledAt;

    public LicenseRow(int index, long id, BenchPackage package, string orgId, int accounts)
    {
        Index = index;
        Id = id;
        Package = package;
        OrgId = orgId;
        var h = (uint)Hash(index);
        OrgName = $"{DataSet.Words[h % 48]} {DataSet.Kinds[(h >> 6) % 10]} {index.ToString(CultureInfo.InvariantCulture)}";
        var roll = (h >> 10) % 100;
        Status = roll < 25 ? 0 : roll < 85 ? 1 : roll < 95 ? 2 : 3;
        // Trials installed within the last 90 days so their expiration spreads over the coming weeks.
        var daysAgo = Status == 0 ? (int)((h >> 3) % 80) : (int)((h >> 3) % 730);
        InstalledAt = DataSet.Now.Date.AddDays(-daysAgo).AddSeconds((h >> 12) % 86_400);
        var installDay = DateOnly.FromDateTime(InstalledAt);
        Expiration = Status == 0 ? installDay.AddDays(90) : (h >> 17) % 2 == 0 ? null : installDay.AddDays(365 + (int)((h >> 5) % 365));
        Seats = (h >> 18) % 10 < 3 ? null : 10 + (int)((h >> 20) % 490);
        Used = Seats is { } s && Status != 3 ? (int)((h >> 4) % (uint)(s + 1)) : null;
        Edition = ((h >> 21) % 3) switch { 0 => "Enterprise Edition", 1 => "Unlimited Edition", _ => "Professional Edition" };
        OrgStatus = (h >> 23) % 5 == 0 ? 0 : 1;
        Sandbox = (h >> 25) % 20 == 0;
        AccountKey = index % 10 == 0 ? 1 + (index / 10) % accounts : null;
        FirstName = DataSet.Words[(h >> 8) % 48];
        LastName = DataSet.Kinds[(h >> 14) % 10] + "son";
        Email = $"admin{index.ToString(CultureInfo.InvariantCulture)}@example.com";
    }

    public static int Hash(int i)
    {
        unchecked
        {
            var x = (uint)i * 2654435761u;
            x ^= x >> 15;
            x *= 2246822519u;
            x ^= x >> 13;
            return (int)(x & 0x7fffffff);
        }
    }

    /// <summary>The install event the platform would have sent for this license, as the ingest API stores it.</summary>
    public string InstallPayload(string eventId) => InstallEventJson.Install(eventId, InstalledAt, Package.VersionId, OrgId, OrgName,
        Edition, OrgStatus, Sandbox, FirstName, LastName, Email);

    public string UninstallPayload(string eventId, DateTime at) =>
        $$$"""{"eventId":"{{{eventId}}}","type":"uninstall","occurredAt":"{{{InstallEventJson.Iso(at)}}}","packageVersionId":"{{{Package.VersionId}}}","org":{"id":"{{{OrgId}}}"}}""";
}

/// <summary>Install event bodies, written by hand: every value is plain ASCII without characters JSON would escape.</summary>
public static class InstallEventJson
{
    public static string Iso(DateTime at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string OrgStatusName(int status) => status switch { 0 => "Trial", 1 => "Active", _ => "Free" };

    public static string Install(string eventId, DateTime at, string versionId, string orgId, string orgName, string edition, int orgStatus,
        bool sandbox, string firstName, string lastName, string email) =>
        $$$"""{"eventId":"{{{eventId}}}","type":"install","occurredAt":"{{{Iso(at)}}}","packageVersionId":"{{{versionId}}}","org":{"id":"{{{orgId}}}","name":"{{{orgName}}}","instance":"NA1","edition":"{{{edition}}}","status":"{{{OrgStatusName(orgStatus)}}}","sandbox":{{{(sandbox ? "true" : "false")}}}},"installer":{"firstName":"{{{firstName}}}","lastName":"{{{lastName}}}","email":"{{{email}}}","company":"{{{orgName}}}"}}""";
}
