using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using LicenseManager.Core.Domain;
using LicenseManager.Core.Domain.Lifecycle;

namespace LicenseManager.Web.Features.Installs;

/// <summary>The body of POST /api/v1/install-events, as the ISV's distribution pipeline sends it.</summary>
public sealed class InstallEventRequest
{
    public string? EventId { get; set; }
    public string? Type { get; set; }
    public DateTimeOffset? OccurredAt { get; set; }
    public PackagePart? Package { get; set; }
    public PackageVersionPart? PackageVersion { get; set; }
    public string? PackageVersionId { get; set; }
    public OrgPart? Org { get; set; }
    public InstallerPart? Installer { get; set; }
    public int? UsedLicenses { get; set; }

    public sealed class PackagePart
    {
        public string? PackageId { get; set; }
        public string? Name { get; set; }
        public string? DeveloperName { get; set; }
        public string? DeveloperOrgId { get; set; }
    }

    public sealed class PackageVersionPart
    {
        public string? VersionId { get; set; }
        public string? Name { get; set; }
        public string? Version { get; set; }
        public bool? Beta { get; set; }
        public DateOnly? ReleaseDate { get; set; }
    }

    public sealed class OrgPart
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? Instance { get; set; }
        public string? Edition { get; set; }
        public string? Status { get; set; }
        public DateOnly? ExpirationDate { get; set; }
        public bool? Sandbox { get; set; }
    }

    public sealed class InstallerPart
    {
        public string? FirstName { get; set; }
        public string? LastName { get; set; }
        public string? Email { get; set; }
        public string? Company { get; set; }
        public string? Phone { get; set; }
        public string? State { get; set; }
        public string? Country { get; set; }
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly IReadOnlyDictionary<string, InstallEventType> TypeNames = new Dictionary<string, InstallEventType>
    {
        ["package-version-uploaded"] = InstallEventType.PackageVersionUploaded,
        ["install"] = InstallEventType.Install,
        ["upgrade"] = InstallEventType.Upgrade,
        ["uninstall"] = InstallEventType.Uninstall,
        ["org-update"] = InstallEventType.OrgUpdate,
    };

    public InstallEventType ParsedType => TypeNames[Type!];

    /// <summary>
    /// The license lifecycle's view of a stored org event (install, upgrade, uninstall, org report): the log row's
    /// type, time and org, this body's org details and used licenses. Read once per row, by the processor and Refresh Licenses.
    /// </summary>
    /// <param name="version">The package version the event names, once known.</param>
    public LicenseEvent ToLicenseEvent(InstallEvent row, PackageVersion? version) => new(
        row.Type, row.OccurredAt, row.OrgId!, version,
        Org is { } org
            ? new OrgReport(org.Name, org.Instance, org.Edition, org.Status is null ? null : Enum.Parse<OrgStatus>(org.Status), org.ExpirationDate, org.Sandbox)
            : null,
        UsedLicenses);

    /// <summary>Reads a stored row's body (accepted and validated when it was received).</summary>
    public static InstallEventRequest Read(InstallEvent row) => JsonSerializer.Deserialize<InstallEventRequest>(row.Payload, Json)!;
}

/// <summary>
/// What each event type must carry. Ids are the platform's (<see cref="Ids"/>): 18 ASCII letters and digits (15 for
/// orgs), checked on the whole value. No text may carry a control character: PostgreSQL can't store NUL, and a line
/// break in a name or email is never meant.
/// </summary>
public sealed class InstallEventRequestValidator : AbstractValidator<InstallEventRequest>
{
    public InstallEventRequestValidator(TimeProvider time)
    {
        RuleFor(x => x.EventId).NotEmpty().MaximumLength(255).SingleLine();
        RuleFor(x => x.Type).NotEmpty()
            .Must(t => t is null || InstallEventRequest.TypeNames.ContainsKey(t))
            .WithMessage($"'type' must be one of: {string.Join(", ", InstallEventRequest.TypeNames.Keys)}.");
        RuleFor(x => x.OccurredAt).NotNull()
            .Must(t => t is null || t.Value <= time.GetUtcNow().AddDays(1)).WithMessage("'occurredAt' is more than a day in the future.")
            .Must(t => t is null || t.Value.Year >= 2000).WithMessage("'occurredAt' is before the year 2000.");

        When(x => x.Type == "package-version-uploaded", () =>
        {
            RuleFor(x => x.Package).NotNull().DependentRules(() =>
            {
                RuleFor(x => x.Package!.PackageId).NotEmpty().PlatformId(Ids.IsPackageId, Ids.PackageIdRule).OverridePropertyName("package.packageId");
                RuleFor(x => x.Package!.Name).NotEmpty().MaximumLength(255).SingleLine().OverridePropertyName("package.name");
                RuleFor(x => x.Package!.DeveloperName).NotEmpty().MaximumLength(255).SingleLine().OverridePropertyName("package.developerName");
                RuleFor(x => x.Package!.DeveloperOrgId).NotEmpty().PlatformId(Ids.IsDeveloperOrgId, "the developer's 18-character org ID (letters A-Z, a-z and digits 0-9)").OverridePropertyName("package.developerOrgId");
            });
            RuleFor(x => x.PackageVersion).NotNull().DependentRules(() =>
            {
                RuleFor(x => x.PackageVersion!.VersionId).NotEmpty().PlatformId(Ids.IsVersionId, Ids.VersionIdRule).OverridePropertyName("packageVersion.versionId");
                RuleFor(x => x.PackageVersion!.Name).NotEmpty().MaximumLength(255).SingleLine().OverridePropertyName("packageVersion.name");
                RuleFor(x => x.PackageVersion!.Version).NotEmpty().MaximumLength(32).SingleLine()
                    .Must(v => v is null || Core.Domain.PackageVersion.SortKeyOf(v) is not null)
                    .WithMessage("'packageVersion.version' must be a version number such as 1.4.0.")
                    .OverridePropertyName("packageVersion.version");
            });
        });

        When(x => x.Type is "install" or "upgrade" or "uninstall" or "org-update", () =>
        {
            RuleFor(x => x.PackageVersionId).NotEmpty().PlatformId(Ids.IsVersionId, Ids.VersionIdRule);
            RuleFor(x => x.Org).NotNull().DependentRules(() =>
            {
                RuleFor(x => x.Org!.Id).NotEmpty().PlatformId(Ids.IsOrgId, Ids.OrgIdRule).OverridePropertyName("org.id");
                RuleFor(x => x.Org!.Name).MaximumLength(255).SingleLine().OverridePropertyName("org.name");
                RuleFor(x => x.Org!.Instance).MaximumLength(64).SingleLine().OverridePropertyName("org.instance");
                RuleFor(x => x.Org!.Edition).MaximumLength(64).SingleLine().OverridePropertyName("org.edition");
                RuleFor(x => x.Org!.Status)
                    .Must(s => s is null or "Trial" or "Active" or "Free").WithMessage("'org.status' must be Trial, Active or Free.")
                    .OverridePropertyName("org.status");
            });
        });

        When(x => x.Type == "install", () =>
        {
            RuleFor(x => x.Org!.Name).NotEmpty().OverridePropertyName("org.name").When(x => x.Org is not null);
            RuleFor(x => x.Org!.Status).NotEmpty().OverridePropertyName("org.status").When(x => x.Org is not null);
            RuleFor(x => x.Installer).NotNull().DependentRules(() =>
            {
                RuleFor(x => x.Installer!.FirstName).MaximumLength(80).SingleLine().OverridePropertyName("installer.firstName");
                RuleFor(x => x.Installer!.LastName).NotEmpty().MaximumLength(80).SingleLine().OverridePropertyName("installer.lastName");
                RuleFor(x => x.Installer!.Email).NotEmpty().MaximumLength(254).Must(e => e is null || Ids.IsEmail(e)).WithMessage("'installer.email' must be an email address: one '@', no spaces or control characters.").OverridePropertyName("installer.email");
                RuleFor(x => x.Installer!.Company).MaximumLength(255).SingleLine().OverridePropertyName("installer.company");
                RuleFor(x => x.Installer!.Phone).MaximumLength(40).SingleLine().OverridePropertyName("installer.phone");
                RuleFor(x => x.Installer!.State).MaximumLength(80).SingleLine().OverridePropertyName("installer.state");
                RuleFor(x => x.Installer!.Country).MaximumLength(80).SingleLine().OverridePropertyName("installer.country");
            });
        });

        When(x => x.Type == "org-update", () =>
        {
            RuleFor(x => x.UsedLicenses).InclusiveBetween(0, LicenseRules.MaxSeats);
        });
    }
}

internal static class InstallEventRules
{
    /// <summary>An id checked whole by its <see cref="Ids"/> rule.</summary>
    public static IRuleBuilderOptions<T, string?> PlatformId<T>(this IRuleBuilder<T, string?> rule, Func<string?, bool> isId, string what) =>
        rule.Must(v => string.IsNullOrEmpty(v) || isId(v)).WithMessage($"'{{PropertyName}}' must be {what}.");

    public static IRuleBuilderOptions<T, string?> SingleLine<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(v => !Ids.HasControlCharacter(v, allowLineBreaks: false)).WithMessage("'{PropertyName}' must not contain control characters or line breaks.");
}
