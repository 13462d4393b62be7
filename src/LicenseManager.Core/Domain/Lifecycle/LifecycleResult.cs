namespace LicenseManager.Core.Domain.Lifecycle;

/// <summary>One field of a license the lifecycle changed (property name, see <see cref="Data.LicenseFieldNames"/>).</summary>
public sealed record LicenseFieldDelta(string Field, object? From, object? To);

/// <summary>A change of License Status; From is null when the license was created.</summary>
public sealed record StatusTransition(LicenseStatus? From, LicenseStatus To);

/// <summary>Why (part of) an event left a license as it was.</summary>
public enum LifecycleIgnoreReason
{
    /// <summary>Only an install creates a license; anything else for an org without one waits for its install.</summary>
    NoLicense,
    /// <summary>The event is older than the latest install, upgrade or uninstall applied: it doesn't undo it.</summary>
    StaleEvent,
    /// <summary>The org's details in the event are older than those the license has.</summary>
    StaleOrgReport,
    /// <summary>Used Licenses of an Uninstalled license stays blank.</summary>
    UninstalledLicense,
    /// <summary>The seat API owns Used Licenses of this license: the org's reported number doesn't replace it.</summary>
    SeatsAssignedByApi,
}

/// <summary>What applying one event did to a license: the license (new or the one given), the fields changed, what was ignored and why.</summary>
public sealed record LifecycleResult(
    License? License,
    bool Created,
    bool Reinstalled,
    IReadOnlyList<LicenseFieldDelta> Changes,
    IReadOnlyList<LifecycleIgnoreReason> Ignored)
{
    public bool Changed => Created || Changes.Count > 0;

    /// <summary>The status change, if any (a new license goes from none to its default status).</summary>
    public StatusTransition? StatusChange => Created
        ? new StatusTransition(null, License!.Status)
        : Changes.FirstOrDefault(c => c.Field == nameof(Domain.License.Status)) is { } c ? new StatusTransition((LicenseStatus)c.From!, (LicenseStatus)c.To!) : null;
}
