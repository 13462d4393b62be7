using System.Security.Cryptography;
using System.Text.Json;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Tokens;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Transfer;

/// <summary>
/// Writes the whole state of this LMA as a <see cref="TransferFormat"/> file: every kind, a page at a time by primary
/// key, so two exports of the same data are the same lines and memory stays flat however large the tables are.
/// </summary>
public sealed class LmaExporter(LicenseManagerDbContext db, SigningKeys signingKeys, IOptions<LmaOptions> lma, TimeProvider time)
{
    public async Task<IReadOnlyDictionary<string, long>> ExportAsync(Stream output, string passphrase, CancellationToken ct)
    {
        var protection = TransferPassphrase.ForExport(passphrase);
        var writer = new LineWriter(output);
        var source = lma.Value.PublicBaseUrl ?? Environment.MachineName;
        await writer.WriteHeaderAsync(new TransferHeader(TransferFormat.Format, TransferFormat.Version, time.GetUtcNow().UtcDateTime, source, protection.Kdf), ct);

        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        // Every kind is read from one snapshot, so a file exported while installs, the processor and users keep writing
        // still refers only to rows it holds (a license created after the leads were written is not in it either).
        await using var snapshot = await BeginSnapshotAsync(ct);
        // Users are few; the records refer to them by email, which is what matches them on the other side.
        var emails = await db.Users.Select(u => new { u.Id, u.Email, u.UserName }).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? u.Id, ct);
        string? Email(string? userId) => userId is null ? null : emails.GetValueOrDefault(userId, userId);
        var counts = new Dictionary<string, long>();

        var referenced = await db.Users.Where(u =>
                db.Packages.Any(p => p.LeadManagerId == u.Id) || db.Leads.Any(l => l.OwnerId == u.Id)
                || db.Set<AlertRuleRecipient>().Any(r => r.UserId == u.Id) || db.SavedViews.Any(v => v.OwnerId == u.Id))
            .Select(u => u.Id).ToListAsync(ct);
        var userEmails = referenced.Select(id => Email(id)!).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        foreach (var email in userEmails) await writer.WriteAsync(TransferFormat.User, new UserRecord(email), ct);
        counts[TransferFormat.User] = userEmails.Count;

        counts[TransferFormat.Package] = await WriteKindAsync(writer, TransferFormat.Package, db.Packages, p => p.Id, p => new PackageRecord(p.Id, p.PackageId,
            p.Name, p.DeveloperName, p.DeveloperOrgId, p.LatestVersion, p.ReleaseDate, Email(p.LeadManagerId), p.IsAssociated, p.AssociatedAt,
            p.DefaultStatus, p.DefaultSeats, p.DefaultLengthDays, p.LastLicenseRefreshAt, p.Version, AuditRecord.Of(p)), ct);
        counts[TransferFormat.PackageVersion] = await WriteKindAsync(writer, TransferFormat.PackageVersion, db.PackageVersions, v => v.Id, v => new PackageVersionRecord(
            v.Id, v.PackageKey, v.VersionId, v.Name, v.VersionNumber, v.VersionSortKey, v.Beta, v.ReleaseDate, AuditRecord.Of(v)), ct);
        counts[TransferFormat.Account] = await WriteKindAsync(writer, TransferFormat.Account, db.Accounts, a => a.Id, a => new AccountRecord(
            a.Id, a.Name, a.Phone, a.Website, a.State, a.Country, AuditRecord.Of(a)), ct);
        counts[TransferFormat.Contact] = await WriteKindAsync(writer, TransferFormat.Contact, db.Contacts, c => c.Id, c => new ContactRecord(
            c.Id, c.AccountKey, c.FirstName, c.LastName, c.Email, c.Phone, c.Title, AuditRecord.Of(c)), ct);
        counts[TransferFormat.Lead] = await WriteKindAsync(writer, TransferFormat.Lead, db.Leads, l => l.Id, l => new LeadRecord(
            l.Id, l.FirstName, l.LastName, l.Company, l.Email, l.Phone, l.State, l.Country, l.LeadSource, Email(l.OwnerId), l.IsConverted,
            l.ConvertedAt, l.ConvertedAccountKey, l.ConvertedContactKey, AuditRecord.Of(l)), ct);
        counts[TransferFormat.License] = await WriteKindAsync(writer, TransferFormat.License, db.Licenses, l => l.Id, l => new LicenseRecord(
            l.Id, l.PackageKey, l.PackageVersionKey, l.PackageVersionNumber, l.Status, l.HasBeenActive, l.Seats, l.ExpirationDate, l.InstallDate,
            l.SubscriberOrgId, l.OrgName, l.Instance, l.OrgEdition, l.OrgStatus, l.OrgExpirationDate, l.IsSandbox, l.ReportedUsedLicenses,
            l.InformationCurrentAsOf, l.SeatsAssignedByApi, l.LastEventAt, l.LeadKey, l.AccountKey, l.ContactKey, l.Version, AuditRecord.Of(l)), ct);
        counts[TransferFormat.SeatAssignment] = await WriteKindAsync(writer, TransferFormat.SeatAssignment, db.SeatAssignments, s => s.Id, s => new SeatAssignmentRecord(
            s.Id, s.LicenseKey, s.SubscriberUserId, s.AssignedAt, s.AssignedBy), ct);
        counts[TransferFormat.LicenseFieldChange] = await WriteKindAsync(writer, TransferFormat.LicenseFieldChange, db.LicenseFieldChanges, h => h.Id, h => new LicenseFieldChangeRecord(
            h.Id, h.LicenseKey, h.ChangedAt, h.ChangedBy, h.Field, h.OldValue, h.NewValue), ct);
        counts[TransferFormat.LicenseStatusChange] = await WriteKindAsync(writer, TransferFormat.LicenseStatusChange, db.LicenseStatusChanges, s => s.Id, s => new LicenseStatusChangeRecord(
            s.Id, s.LicenseKey, s.FromStatus, s.ToStatus, s.ChangedAt), ct);
        counts[TransferFormat.LicenseRefresh] = await WriteKindAsync(writer, TransferFormat.LicenseRefresh, db.LicenseRefreshes, r => r.Id, r => new LicenseRefreshRecord(
            r.Id, r.PackageKey, r.RequestedAt, r.RequestedBy, r.StartedAt, r.FinishedAt, r.State, r.EventsReplayed, r.LicensesCreated, r.LicensesUpdated,
            r.Details, r.Error), ct);
        counts[TransferFormat.InstallEvent] = await WriteKindAsync(writer, TransferFormat.InstallEvent, db.InstallEvents, e => e.Id, e => new InstallEventRecord(
            e.Id, e.EventId, e.Type, e.OccurredAt, e.ReceivedAt, e.Payload, e.PackageVersionId, e.OrgId, e.PackageKey, e.State, e.HoldCode,
            e.HoldReason, e.Attempts, e.ProcessedAt, e.LicenseKey), ct);
        counts[TransferFormat.EmailTemplate] = await WriteKindAsync(writer, TransferFormat.EmailTemplate, db.EmailTemplates, t => t.Id, t => new EmailTemplateRecord(
            t.Id, t.DefaultKey, t.Name, t.Subject, t.Body, AuditRecord.Of(t)), ct);
        counts[TransferFormat.AlertRule] = await WriteKindAsync(writer, TransferFormat.AlertRule, db.AlertRules, r => r.Id, r => new AlertRuleRecord(
            r.Id, r.DefaultKey, r.Name, r.Trigger, r.DaysBefore, r.PackageKey, r.TemplateKey, r.IsEnabled, r.RecipientRoles, r.NotifyLeadOwner,
            AuditRecord.Of(r)), ct);
        counts[TransferFormat.AlertRuleRecipient] = await WriteKindAsync(writer, TransferFormat.AlertRuleRecipient, db.Set<AlertRuleRecipient>(), r => r.Id,
            r => new AlertRuleRecipientRecord(r.Id, r.RuleKey, Email(r.UserId)!), ct);
        counts[TransferFormat.EmailMessage] = await WriteKindAsync(writer, TransferFormat.EmailMessage, db.EmailMessages, m => m.Id, m => new EmailMessageRecord(
            m.Id, m.RuleKey, m.LicenseKey, m.OccurrenceKey, m.Status, m.Recipients, m.Subject, m.Body, m.RenderedAt, m.Attempts, m.NextAttemptAt,
            m.LastError, m.SentAt, m.DeliveredVia, AuditRecord.Of(m)), ct);
        counts[TransferFormat.EmailDeliveryAttempt] = await WriteKindAsync(writer, TransferFormat.EmailDeliveryAttempt, db.EmailDeliveryAttempts, a => a.Id,
            a => new EmailDeliveryAttemptRecord(a.Id, a.MessageKey, a.AttemptedAt, a.Succeeded, a.Error), ct);
        counts[TransferFormat.SavedView] = await WriteKindAsync(writer, TransferFormat.SavedView, db.SavedViews, v => v.Id, v => new SavedViewRecord(
            v.Id, Email(v.OwnerId)!, v.List, v.Name, v.Query, v.CreatedAt), ct);
        counts[TransferFormat.ApiKey] = await WriteKindAsync(writer, TransferFormat.ApiKey, db.ApiKeys, k => k.Id, k => new ApiKeyRecord(
            k.Id, k.Name, k.Prefix, Convert.ToBase64String(k.SecretHash), k.Scopes, k.PackageIds, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.RevokedBy,
            k.LastUsedAt), ct);
        counts[TransferFormat.SigningKey] = await WriteKindAsync(writer, TransferFormat.SigningKey, db.SigningKeys, k => k.Id, k => new SigningKeyRecord(
            k.Id, k.KeyId, k.PublicX, k.PublicY, protection.Encrypt(k.KeyId, signingKeys.UnprotectPrivateKey(k)), k.CreatedAt, k.RetiredAt), ct);

        await writer.WriteTrailerAsync(counts, ct);
        return counts;
    }

    /// <summary>
    /// A read-only snapshot for the whole export that doesn't block writers: PostgreSQL REPEATABLE READ; SQLite a deferred
    /// transaction (in WAL mode its first read fixes the snapshot while writers go on).
    /// </summary>
    private async Task<IAsyncDisposable?> BeginSnapshotAsync(CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(ct);
            var transaction = ((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
            await db.Database.UseTransactionAsync(transaction, ct);
            return transaction;
        }
        // SQL Server runs with a retrying execution strategy, which refuses a transaction around reads it may retry;
        // there the export reads without a snapshot (docs/transfer.md: stop the writers first).
        if (db.Database.IsSqlServer()) return null;
        return await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
    }

    private async Task<long> WriteKindAsync<TEntity, TRecord>(LineWriter writer, string kind, IQueryable<TEntity> table, Func<TEntity, long> id,
        Func<TEntity, TRecord> record, CancellationToken ct) where TEntity : class
    {
        long after = long.MinValue, count = 0;
        while (true)
        {
            var last = after;
            var page = await table.Where(e => EF.Property<long>(e, "Id") > last).OrderBy(e => EF.Property<long>(e, "Id")).Take(TransferFormat.PageSize).ToListAsync(ct);
            if (page.Count == 0) break;
            foreach (var entity in page) await writer.WriteAsync(kind, record(entity), ct);
            count += page.Count;
            after = id(page[^1]);
            await writer.FlushAsync(ct);
            if (page.Count < TransferFormat.PageSize) break;
        }
        return count;
    }

    /// <summary>Writes UTF-8 lines ending in '\n' and hashes the record lines as written, for the trailer.</summary>
    private sealed class LineWriter(Stream output)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly BufferedStream _buffer = new(output, 64 * 1024);

        public Task WriteHeaderAsync(TransferHeader header, CancellationToken ct) => WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(header, TransferFormat.Json), hash: false, ct);

        public Task WriteAsync<T>(string kind, T record, CancellationToken ct) =>
            WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(new TransferLine<T>(kind, record), TransferFormat.Json), hash: true, ct);

        public async Task WriteTrailerAsync(IReadOnlyDictionary<string, long> counts, CancellationToken ct)
        {
            var ordered = TransferFormat.Kinds.ToDictionary(k => k, k => counts.GetValueOrDefault(k));
            var trailer = new TransferTrailer(TransferFormat.TrailerKind, ordered, Convert.ToHexStringLower(_hash.GetHashAndReset()));
            await WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(trailer, TransferFormat.Json), hash: false, ct);
            await FlushAsync(ct);
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            await _buffer.FlushAsync(ct);
            await output.FlushAsync(ct);
        }

        private async Task WriteBytesAsync(byte[] line, bool hash, CancellationToken ct)
        {
            if (hash)
            {
                _hash.AppendData(line);
                _hash.AppendData(NewLine);
            }
            await _buffer.WriteAsync(line, ct);
            await _buffer.WriteAsync(NewLine, ct);
        }

        private static readonly byte[] NewLine = "\n"u8.ToArray();
    }
}
