using LicenseManager.Web.Features.Installs;

namespace LicenseManager.Tests.Infrastructure;

/// <summary>
/// Builders for platform events with intention-revealing names. Unless told when, an event happened minutes before
/// <see cref="TestClock.Start"/> (the apps' clock), in the order upload, install, upgrade, uninstall, org update.
/// </summary>
public static class Events
{
    private static int _serial;
    public static string NewId(string prefix, int length) =>
        (prefix + Interlocked.Increment(ref _serial).ToString("D8") + Guid.NewGuid().ToString("N")).Substring(0, length);

    public static string NewOrgId() => NewId("00D", 15);
    public static string NewPackageId() => NewId("033", 18);
    public static string NewVersionId() => NewId("04t", 18);

    public static InstallEventRequest VersionUploaded(string packageId, string versionId, string version = "1.0.0", string name = "Test Package", bool beta = false, DateTimeOffset? at = null) => new()
    {
        EventId = Guid.NewGuid().ToString(),
        Type = "package-version-uploaded",
        OccurredAt = at ?? TestClock.Start.AddMinutes(-10),
        Package = new() { PackageId = packageId, Name = name, DeveloperName = "Test Developer", DeveloperOrgId = "00D000000000DEV001" },
        PackageVersion = new() { VersionId = versionId, Name = $"{name} {version}", Version = version, Beta = beta, ReleaseDate = new DateOnly(2026, 11, 1) },
    };

    public static InstallEventRequest Install(string versionId, string orgId, DateTimeOffset? at = null, string company = "Acme Inc", bool sandbox = false) => new()
    {
        EventId = Guid.NewGuid().ToString(),
        Type = "install",
        OccurredAt = at ?? TestClock.Start.AddMinutes(-5),
        PackageVersionId = versionId,
        Org = new() { Id = orgId, Name = company, Instance = "NA44", Edition = "Enterprise Edition", Status = "Active", Sandbox = sandbox },
        Installer = new() { FirstName = "Ada", LastName = "Lovelace", Email = "ada@acme.example", Company = company, Phone = "+1 555 0100", State = "CA", Country = "US" },
    };

    public static InstallEventRequest Upgrade(string versionId, string orgId, DateTimeOffset? at = null) => new()
    {
        EventId = Guid.NewGuid().ToString(), Type = "upgrade", OccurredAt = at ?? TestClock.Start.AddMinutes(-4),
        PackageVersionId = versionId, Org = new() { Id = orgId },
    };

    public static InstallEventRequest Uninstall(string versionId, string orgId, DateTimeOffset? at = null) => new()
    {
        EventId = Guid.NewGuid().ToString(), Type = "uninstall", OccurredAt = at ?? TestClock.Start.AddMinutes(-3),
        PackageVersionId = versionId, Org = new() { Id = orgId },
    };

    public static InstallEventRequest OrgUpdate(string versionId, string orgId, int usedLicenses, DateTimeOffset? at = null, string status = "Active") => new()
    {
        EventId = Guid.NewGuid().ToString(), Type = "org-update", OccurredAt = at ?? TestClock.Start.AddMinutes(-2),
        PackageVersionId = versionId, Org = new() { Id = orgId, Status = status, Edition = "Unlimited Edition" }, UsedLicenses = usedLicenses,
    };
}
