using System.Text.Json;
using System.Text.Json.Serialization;
using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Features.Transfer;

/// <summary>
/// The Move the LMA file, format version 2: JSON Lines. Line 1 is the <see cref="TransferHeader"/>; then one line per
/// record, <c>{"kind":"license","record":{...}}</c>, kinds in the order of <see cref="TransferFormat.Kinds"/> and
/// records by primary key within a kind; the last line is the <see cref="TransferTrailer"/> with the count per kind
/// and a SHA-256 of the record lines, so a truncated or edited file is refused before anything is written.
/// </summary>
public static class TransferFormat
{
    public const string Format = "licensemanager-transfer";
    public const int Version = 2;
    public const string TrailerKind = "trailer";

    /// <summary>Rows per page, both ways: memory stays flat however many licenses there are.</summary>
    public const int PageSize = 2000;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // A record missing a field, or null where the model has no null, is a bad line, not a row with blanks.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    // Kinds in dependency order: a record only refers to kinds written before it (the import inserts in this order).
    public const string User = "user";
    public const string Package = "package";
    public const string PackageVersion = "packageVersion";
    public const string Account = "account";
    public const string Contact = "contact";
    public const string Lead = "lead";
    public const string License = "license";
    public const string SeatAssignment = "seatAssignment";
    public const string LicenseFieldChange = "licenseFieldChange";
    public const string LicenseStatusChange = "licenseStatusChange";
    public const string LicenseRefresh = "licenseRefresh";
    public const string InstallEvent = "installEvent";
    public const string EmailTemplate = "emailTemplate";
    public const string AlertRule = "alertRule";
    public const string AlertRuleRecipient = "alertRuleRecipient";
    public const string EmailMessage = "emailMessage";
    public const string EmailDeliveryAttempt = "emailDeliveryAttempt";
    public const string SavedView = "savedView";
    public const string ApiKey = "apiKey";
    public const string SigningKey = "signingKey";

    public static readonly IReadOnlyList<string> Kinds =
    [
        User, Package, PackageVersion, Account, Contact, Lead, License, SeatAssignment, LicenseFieldChange, LicenseStatusChange,
        LicenseRefresh, InstallEvent, EmailTemplate, AlertRule, AlertRuleRecipient, EmailMessage, EmailDeliveryAttempt,
        SavedView, ApiKey, SigningKey,
    ];

    /// <summary>The record type of each kind, so the validator can read every line as the importer will.</summary>
    public static readonly IReadOnlyDictionary<string, Type> RecordTypes = new Dictionary<string, Type>
    {
        [User] = typeof(UserRecord), [Package] = typeof(PackageRecord), [PackageVersion] = typeof(PackageVersionRecord),
        [Account] = typeof(AccountRecord), [Contact] = typeof(ContactRecord), [Lead] = typeof(LeadRecord),
        [License] = typeof(LicenseRecord), [SeatAssignment] = typeof(SeatAssignmentRecord),
        [LicenseFieldChange] = typeof(LicenseFieldChangeRecord), [LicenseStatusChange] = typeof(LicenseStatusChangeRecord),
        [LicenseRefresh] = typeof(LicenseRefreshRecord), [InstallEvent] = typeof(InstallEventRecord),
        [EmailTemplate] = typeof(EmailTemplateRecord), [AlertRule] = typeof(AlertRuleRecord),
        [AlertRuleRecipient] = typeof(AlertRuleRecipientRecord), [EmailMessage] = typeof(EmailMessageRecord),
        [EmailDeliveryAttempt] = typeof(EmailDeliveryAttemptRecord), [SavedView] = typeof(SavedViewRecord),
        [ApiKey] = typeof(ApiKeyRecord), [SigningKey] = typeof(SigningKeyRecord),
    };

    /// <summary>The kinds whose records have a numeric primary key (every kind but users, which are keyed by email).</summary>
    public static bool HasNumericKey(string kind) => kind != User;
}

/// <summary>The shape of every record line.</summary>
public sealed record TransferLine<T>(string Kind, T Record);

/// <summary>
/// Line 1. <see cref="ExportedAt"/> and <see cref="Source"/> differ between two exports of the same data; nothing
/// else does, apart from the signing keys' ciphertext, which is encrypted afresh under this export's salt.
/// </summary>
public sealed record TransferHeader(string Format, int Version, DateTime ExportedAt, string Source, PassphraseKdf SigningKeyProtection);

/// <summary>How the signing keys' private keys are encrypted: PBKDF2-SHA256 of the administrator's passphrase, AES-256-GCM.</summary>
public sealed record PassphraseKdf(string Algorithm, int Iterations, string Salt);

/// <summary>The last line: how many records of each kind precede it, and the SHA-256 of those record lines.</summary>
public sealed record TransferTrailer(string Kind, IReadOnlyDictionary<string, long> Counts, string Sha256);

/// <summary>A user the file refers to. Users themselves don't move (passwords stay behind): they're matched by email.</summary>
public sealed record UserRecord(string Email);

public sealed record AuditRecord(DateTime CreatedAt, string CreatedBy, DateTime LastModifiedAt, string LastModifiedBy)
{
    public static AuditRecord Of(IAudited a) => new(a.CreatedAt, a.CreatedBy, a.LastModifiedAt, a.LastModifiedBy);

    public void To(IAudited a) => (a.CreatedAt, a.CreatedBy, a.LastModifiedAt, a.LastModifiedBy) = (CreatedAt, CreatedBy, LastModifiedAt, LastModifiedBy);
}

public sealed record PackageRecord(long Id, string PackageId, string Name, string DeveloperName, string DeveloperOrgId, string? LatestVersion,
    DateOnly? ReleaseDate, string? LeadManagerEmail, bool IsAssociated, DateTime? AssociatedAt, LicenseStatus DefaultStatus, int? DefaultSeats,
    int? DefaultLengthDays, DateTime? LastLicenseRefreshAt, int Version, AuditRecord Audit);

public sealed record PackageVersionRecord(long Id, long PackageKey, string VersionId, string Name, string VersionNumber, long VersionSortKey,
    bool Beta, DateOnly? ReleaseDate, AuditRecord Audit);

public sealed record AccountRecord(long Id, string Name, string? Phone, string? Website, string? State, string? Country, AuditRecord Audit);

public sealed record ContactRecord(long Id, long AccountKey, string? FirstName, string LastName, string? Email, string? Phone, string? Title, AuditRecord Audit);

public sealed record LeadRecord(long Id, string? FirstName, string LastName, string Company, string? Email, string? Phone, string? State,
    string? Country, string LeadSource, string? OwnerEmail, bool IsConverted, DateTime? ConvertedAt, long? ConvertedAccountKey,
    long? ConvertedContactKey, AuditRecord Audit);

/// <summary>A license with its number: License Name is the primary key, kept as it is.</summary>
public sealed record LicenseRecord(long Id, long PackageKey, long PackageVersionKey, string PackageVersionNumber, LicenseStatus Status,
    bool HasBeenActive, int? Seats, DateOnly? ExpirationDate, DateTime InstallDate, string SubscriberOrgId, string OrgName, string? Instance,
    string? OrgEdition, OrgStatus OrgStatus, DateOnly? OrgExpirationDate, bool IsSandbox, int? ReportedUsedLicenses,
    DateTime? InformationCurrentAsOf, bool SeatsAssignedByApi, DateTime? LastEventAt, long? LeadKey, long? AccountKey, long? ContactKey,
    int Version, AuditRecord Audit);

public sealed record SeatAssignmentRecord(long Id, long LicenseKey, string SubscriberUserId, DateTime AssignedAt, string AssignedBy);

public sealed record LicenseFieldChangeRecord(long Id, long LicenseKey, DateTime ChangedAt, string ChangedBy, string Field, string? OldValue, string? NewValue);

/// <summary>A status change not yet matched to alert rules: it still fires on the new instance.</summary>
public sealed record LicenseStatusChangeRecord(long Id, long LicenseKey, LicenseStatus FromStatus, LicenseStatus ToStatus, DateTime ChangedAt);

public sealed record LicenseRefreshRecord(long Id, long PackageKey, DateTime RequestedAt, string RequestedBy, DateTime? StartedAt, DateTime? FinishedAt,
    RefreshState State, int EventsReplayed, int LicensesCreated, int LicensesUpdated, string? Details, string? Error);

/// <summary>An installation log row with its processing state: restored as it is, never replayed.</summary>
public sealed record InstallEventRecord(long Id, string EventId, InstallEventType Type, DateTime OccurredAt, DateTime ReceivedAt, string Payload,
    string? PackageVersionId, string? OrgId, long? PackageKey, InstallEventState State, string? HoldCode, string? HoldReason, int Attempts,
    DateTime? ProcessedAt, long? LicenseKey);

public sealed record EmailTemplateRecord(long Id, string? DefaultKey, string Name, string Subject, string Body, AuditRecord Audit);

public sealed record AlertRuleRecord(long Id, string? DefaultKey, string Name, AlertTrigger Trigger, int? DaysBefore, long? PackageKey, long TemplateKey,
    bool IsEnabled, string RecipientRoles, bool NotifyLeadOwner, AuditRecord Audit);

public sealed record AlertRuleRecipientRecord(long Id, long RuleKey, string UserEmail);

/// <summary>The email log. A node's claim on a row being sent is not carried: it means nothing on another instance.</summary>
public sealed record EmailMessageRecord(long Id, long RuleKey, long LicenseKey, string OccurrenceKey, EmailStatus Status, string? Recipients,
    string? Subject, string? Body, DateTime? RenderedAt, int Attempts, DateTime NextAttemptAt, string? LastError, DateTime? SentAt,
    string? DeliveredVia, AuditRecord Audit);

public sealed record EmailDeliveryAttemptRecord(long Id, long MessageKey, DateTime AttemptedAt, bool Succeeded, string? Error);

public sealed record SavedViewRecord(long Id, string OwnerEmail, string List, string Name, string Query, DateTime CreatedAt);

/// <summary>An API key as stored: the SHA-256 of the secret, never the secret (it was shown once, when created).</summary>
public sealed record ApiKeyRecord(long Id, string Name, string Prefix, string SecretHash, string Scopes, string? PackageIds, DateTime CreatedAt,
    string CreatedBy, DateTime? RevokedAt, string? RevokedBy, DateTime? LastUsedAt);

/// <summary>A token signing key; the private key (PKCS#8) encrypted under the export passphrase, see <see cref="TransferPassphrase"/>.</summary>
public sealed record SigningKeyRecord(long Id, string KeyId, string PublicX, string PublicY, string EncryptedPrivateKey, DateTime CreatedAt, DateTime? RetiredAt);

/// <summary>What an import moved, and what it had to map.</summary>
public sealed record TransferReport(IReadOnlyDictionary<string, long> Counts, IReadOnlyList<string> MissingUsers, IReadOnlyList<string> Notes)
{
    public string CountsLine() => string.Join(", ", TransferFormat.Kinds.Where(Counts.ContainsKey).Select(k => $"{k}: {Counts[k]}"));
}

/// <summary>Files that hold an export (API key hashes, encrypted signing keys, people's data): readable by their owner only.</summary>
public static class PrivateFile
{
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }
}
