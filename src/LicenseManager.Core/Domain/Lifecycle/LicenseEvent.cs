namespace LicenseManager.Core.Domain.Lifecycle;

/// <summary>
/// What the platform said about one org's installation of a package, in the domain's words: an install (a reinstall
/// when the org already has a license), an upgrade, an uninstall or an org report. Read once from an installation-log
/// row (<see cref="InstallEvent"/>); the license lifecycle never sees the HTTP body it came in.
/// </summary>
/// <param name="Type">Install, Upgrade, Uninstall or OrgUpdate (package-version uploads are catalogue events, not license events).</param>
/// <param name="OccurredAt">When it happened on the platform: an event older than what the license already knows is stale.</param>
/// <param name="OrgId">The subscriber org.</param>
/// <param name="Version">The package version the event names; it gives a new license its package and version. Null when unknown.</param>
/// <param name="Org">The org's details as reported with the event, if any.</param>
/// <param name="UsedLicenses">Used Licenses as the org reported it (org reports only).</param>
public sealed record LicenseEvent(
    InstallEventType Type,
    DateTime OccurredAt,
    string OrgId,
    PackageVersion? Version,
    OrgReport? Org = null,
    int? UsedLicenses = null);

/// <summary>
/// The org's details as an event reports them. A field left out (null) keeps what the license has, except that an
/// org status reported without an expiration date means the org no longer expires.
/// </summary>
public sealed record OrgReport(
    string? Name = null,
    string? Instance = null,
    string? Edition = null,
    OrgStatus? Status = null,
    DateOnly? ExpirationDate = null,
    bool? Sandbox = null);
