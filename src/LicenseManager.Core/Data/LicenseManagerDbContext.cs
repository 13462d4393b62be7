using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace LicenseManager.Core.Data;

public class LicenseManagerDbContext(DbContextOptions<LicenseManagerDbContext> options, IActorAccessor? actor = null, TimeProvider? time = null)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    private readonly IActorAccessor _actor = actor ?? new SystemActorAccessor();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public DbSet<Package> Packages => Set<Package>();
    public DbSet<PackageVersion> PackageVersions => Set<PackageVersion>();
    public DbSet<License> Licenses => Set<License>();
    public DbSet<LicenseFieldChange> LicenseFieldChanges => Set<LicenseFieldChange>();
    public DbSet<Lead> Leads => Set<Lead>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<InstallEvent> InstallEvents => Set<InstallEvent>();
    public DbSet<LicenseRefresh> LicenseRefreshes => Set<LicenseRefresh>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<JobLease> JobLeases => Set<JobLease>();
    public DbSet<EmailTemplate> EmailTemplates => Set<EmailTemplate>();
    public DbSet<AlertRule> AlertRules => Set<AlertRule>();
    public DbSet<LicenseStatusChange> LicenseStatusChanges => Set<LicenseStatusChange>();
    public DbSet<EmailMessage> EmailMessages => Set<EmailMessage>();
    public DbSet<EmailDeliveryAttempt> EmailDeliveryAttempts => Set<EmailDeliveryAttempt>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<SeatAssignment> SeatAssignments => Set<SeatAssignment>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<SignInLockout> SignInLockouts => Set<SignInLockout>();
    public DbSet<DashboardSnapshot> DashboardSnapshots => Set<DashboardSnapshot>();

    /// <summary>The actor whose name goes into audit fields and license history for this context's saves.</summary>
    public Actor Actor => _actor.Current;

    /// <summary>
    /// Set by the LMA import (Move the LMA): rows are written exactly as the export file has them. Audit fields and
    /// versions are not stamped, and no license history or status-change rows are written, since the file carries
    /// the history as it was and a restored license did not change.
    /// </summary>
    public bool WritesRestoredRows { get; set; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(LicenseManagerDbContext).Assembly);

        // Platform ids and the sender's event ids are case-sensitive. SQLite and PostgreSQL compare text that way;
        // SQL Server's default collation doesn't, so these columns get a binary collation there.
        if (Database.IsSqlServer())
        {
            builder.Entity<InstallEvent>().Property(x => x.EventId).UseCollation(BinaryCollation);
            builder.Entity<InstallEvent>().Property(x => x.PackageVersionId).UseCollation(BinaryCollation);
            builder.Entity<InstallEvent>().Property(x => x.OrgId).UseCollation(BinaryCollation);
            builder.Entity<Package>().Property(x => x.PackageId).UseCollation(BinaryCollation);
            builder.Entity<PackageVersion>().Property(x => x.VersionId).UseCollation(BinaryCollation);
            builder.Entity<License>().Property(x => x.SubscriberOrgId).UseCollation(BinaryCollation);
        }
    }

    private const string BinaryCollation = "Latin1_General_100_BIN2";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // All instants are UTC; the providers hand DateTime back with Kind=Unspecified on SQLite and SQL Server.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    // Changes are detected once, here: StampChanges then marks what it writes on the entries themselves, and the save
    // runs without detecting again (a batch of a thousand tracked licenses otherwise pays for the scan twice).
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var auto = DetectOnce();
        try
        {
            StampChanges();
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = auto;
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var auto = DetectOnce();
        try
        {
            StampChanges();
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = auto;
        }
    }

    private bool DetectOnce()
    {
        var auto = ChangeTracker.AutoDetectChangesEnabled;
        if (auto) ChangeTracker.DetectChanges();
        ChangeTracker.AutoDetectChangesEnabled = false;
        return auto;
    }

    /// <summary>Audit fields, concurrency versions and license field history: the one place they are written.</summary>
    private void StampChanges()
    {
        if (WritesRestoredRows) return;
        var now = _time.GetUtcNow().UtcDateTime;
        var who = _actor.Current.Name;
        foreach (var entry in ChangeTracker.Entries().ToList())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;

            StampAudit(entry, now, who);

            if (entry.State == EntityState.Modified && entry.Entity is IVersioned versioned)
                entry.Property(nameof(IVersioned.Version)).CurrentValue = versioned.Version + 1;

            if (entry.State == EntityState.Modified && entry.Entity is License license)
            {
                RecordHistory(entry, license, now, who);
                QueueStatusChange(entry, license, now);
            }
        }
    }

    /// <summary>
    /// The audit fields of new rows a caller writes beside SaveChanges (the install processor's set-based write of new
    /// leads and licenses), stamped exactly as SaveChanges stamps them. New rows have no field history to record.
    /// </summary>
    public void StampAdded(IEnumerable<EntityEntry> added)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var who = _actor.Current.Name;
        foreach (var entry in added)
        {
            if (entry.State != EntityState.Added) throw new InvalidOperationException($"{entry.Metadata.ClrType.Name} is {entry.State}, not new.");
            StampAudit(entry, now, who);
        }
    }

    // Written through the entry, so the change tracker knows without detecting changes again.
    private static void StampAudit(EntityEntry entry, DateTime now, string who)
    {
        if (entry.Entity is not IAudited) return;
        if (entry.State == EntityState.Added)
        {
            entry.Property(nameof(IAudited.CreatedAt)).CurrentValue = now;
            entry.Property(nameof(IAudited.CreatedBy)).CurrentValue = who;
        }
        entry.Property(nameof(IAudited.LastModifiedAt)).CurrentValue = now;
        entry.Property(nameof(IAudited.LastModifiedBy)).CurrentValue = who;
    }

    private static readonly string[] HistoryFields =
    [
        nameof(License.Status), nameof(License.Seats), nameof(License.ExpirationDate), nameof(License.PackageVersionNumber),
        nameof(License.InstallDate), nameof(License.OrgStatus), nameof(License.OrgEdition), nameof(License.OrgExpirationDate),
        nameof(License.Instance), nameof(License.IsSandbox), nameof(License.ReportedUsedLicenses), nameof(License.AccountKey),
        nameof(License.ContactKey), nameof(License.LeadKey),
    ];

    /// <summary>
    /// The alert outbox's entry point: a status change is queued in the same transaction as the change itself,
    /// and matched to alert rules in the background (so this stays one insert, whatever the rules).
    /// </summary>
    private void QueueStatusChange(EntityEntry entry, License license, DateTime now)
    {
        var status = entry.Property(nameof(License.Status));
        if (!status.IsModified || Equals(status.OriginalValue, status.CurrentValue)) return;
        LicenseStatusChanges.Add(new LicenseStatusChange
        {
            LicenseKey = license.Id,
            FromStatus = (LicenseStatus)status.OriginalValue!,
            ToStatus = license.Status,
            ChangedAt = now,
        });
    }

    private void RecordHistory(EntityEntry entry, License license, DateTime now, string who)
    {
        foreach (var field in HistoryFields)
        {
            var property = entry.Property(field);
            if (!property.IsModified || Equals(property.OriginalValue, property.CurrentValue)) continue;
            LicenseFieldChanges.Add(new LicenseFieldChange
            {
                LicenseKey = license.Id,
                ChangedAt = now,
                ChangedBy = who,
                Field = LicenseFieldNames.Display(field),
                OldValue = LicenseFieldNames.Format(field, property.OriginalValue),
                NewValue = field switch
                {
                    // Related records are named, not numbered (a new account has no id yet).
                    nameof(License.AccountKey) when license.Account is { } a => a.Name,
                    nameof(License.ContactKey) when license.Contact is { } c => c.FullName,
                    nameof(License.LeadKey) when license.Lead is { } l => l.FullName,
                    _ => LicenseFieldNames.Format(field, property.CurrentValue),
                },
            });
        }
    }
}
