using System.Text.Json;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Tokens;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Transfer;

/// <summary>
/// Restores a <see cref="TransferFormat"/> file into a fresh instance, exactly as it was: the same primary keys (so
/// license numbers and every reference stay), audit fields and history as recorded, the installation log with its
/// processing state (never replayed). Two passes: <see cref="TransferFileValidator"/> reads the whole file first, then
/// one transaction writes it a page at a time; any failure rolls everything back.
/// </summary>
public sealed class LmaImporter(LicenseManagerDbContext db, SigningKeys signingKeys, InstallEventSignal signal, ILogger<LmaImporter> log)
{
    /// <summary>Why this instance can't take an import, or null when it is fresh.</summary>
    public async Task<string?> NotFreshAsync(CancellationToken ct)
    {
        var found = new List<string>();
        if (await db.Packages.AnyAsync(ct)) found.Add("packages");
        if (await db.Licenses.AnyAsync(ct)) found.Add("licenses");
        if (await db.Leads.AnyAsync(ct)) found.Add("leads");
        if (await db.Accounts.AnyAsync(ct)) found.Add("accounts");
        if (await db.Contacts.AnyAsync(ct)) found.Add("contacts");
        if (await db.InstallEvents.AnyAsync(ct)) found.Add("install events");
        if (await db.EmailMessages.AnyAsync(ct)) found.Add("emails in the email log");
        if (await db.ApiKeys.AnyAsync(ct)) found.Add("API keys");
        if (await db.SavedViews.AnyAsync(ct)) found.Add("saved views");
        return found.Count == 0 ? null
            : $"This instance is not fresh: it already has {string.Join(", ", found)}. Import into a fresh instance (only users and the default alert rules and templates), so the file is the whole truth.";
    }

    /// <param name="path">The file: for an upload, a temporary copy, since it is read twice.</param>
    /// <param name="importingUserId">The administrator importing: records of users missing here become theirs.</param>
    public async Task<(TransferReport? Report, string? Error)> ImportAsync(string path, string? passphrase, string importingUserId, CancellationToken ct)
    {
        if (await NotFreshAsync(ct) is { } notFresh) return (null, notFresh);
        ValidTransferFile file;
        await using (var first = File.OpenRead(path))
        {
            var (valid, error) = await TransferFileValidator.ValidateAsync(first, passphrase, ct);
            if (error is not null) return (null, error);
            file = valid!;
        }
        var admin = await db.Users.AsNoTracking().Where(u => u.Id == importingUserId).Select(u => new { u.Id, u.Email }).SingleOrDefaultAsync(ct);
        if (admin is null) return (null, "The importing administrator is not a user of this instance.");

        var users = await UserMapAsync(file.UserEmails, ct);
        ImportRun? run = null;
        // The first Protect of a fresh instance creates its Data Protection key, which writes to the database through a
        // context of its own: done now, before the import's transaction holds the write lock (SQLite) it would wait for.
        _ = signingKeys.ProtectPrivateKey([]);
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            await strategy.ExecuteAsync(async () =>
            {
                // A fresh run per attempt: a retried attempt (SQL Server's retrying strategy) starts from nothing.
                run = new ImportRun(db, users, admin.Id, admin.Email ?? admin.Id, signingKeys, file.Passphrase);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                db.WritesRestoredRows = true;
                try
                {
                    // The defaults seeded at first start give way to the file's rules and templates; the file's keys replace this
                    // instance's first signing key (tokens it signed don't exist yet: the instance is fresh).
                    await db.Set<AlertRuleRecipient>().ExecuteDeleteAsync(ct);
                    await db.AlertRules.ExecuteDeleteAsync(ct);
                    await db.EmailTemplates.ExecuteDeleteAsync(ct);
                    await db.SigningKeys.ExecuteDeleteAsync(ct);
                    await db.LicenseStatusChanges.ExecuteDeleteAsync(ct);
                    await db.LicenseRefreshes.ExecuteDeleteAsync(ct);

                    await using var second = File.OpenRead(path);
                    await run.WriteAsync(second, ct);
                    await ContinueIdentitiesAsync(ct);
                    await tx.CommitAsync(ct);
                }
                finally
                {
                    db.WritesRestoredRows = false;
                    db.ChangeTracker.Clear();
                }
            });
        }
        catch (ImportFailedException ex)
        {
            log.LogWarning(ex.InnerException, "Import failed and was rolled back: {Reason}", ex.Message);
            return (null, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever the database or a value of the file refused: the transaction rolled back, nothing is written.
            log.LogError(ex, "Import failed and was rolled back");
            return (null, $"The import failed and was rolled back, nothing was written: {ex.GetBaseException().Message}");
        }
        signingKeys.ForgetLoadedKey();
        signal.Nudge(); // install events pending on the source are pending here: the processor takes them up
        return (run!.Report(), null);
    }

    private async Task<Dictionary<string, string?>> UserMapAsync(IReadOnlyList<string> emails, CancellationToken ct)
    {
        var normalized = emails.Select(e => e.ToUpperInvariant()).ToList();
        var here = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail != null && normalized.Contains(u.NormalizedEmail))
            .Select(u => new { u.Id, u.NormalizedEmail }).ToListAsync(ct);
        var byEmail = here.GroupBy(u => u.NormalizedEmail!).ToDictionary(g => g.Key, g => g.OrderBy(u => u.Id, StringComparer.Ordinal).First().Id);
        return emails.ToDictionary(e => e, e => byEmail.TryGetValue(e.ToUpperInvariant(), out var id) ? (string?)id : null, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// New rows continue after the highest imported key (the next license is max + 1). SQLite's AUTOINCREMENT
    /// already follows explicit keys; PostgreSQL's identity sequences are set; SQL Server's identity is checked.
    /// </summary>
    private async Task ContinueIdentitiesAsync(CancellationToken ct)
    {
        if (db.Database.IsSqlite()) return;
        foreach (var table in ImportRun.Tables(db))
        {
            // Table names come from the model, never from the file.
            var sql = db.Database.IsNpgsql()
                ? $"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'Id'), COALESCE((SELECT MAX(\"Id\") FROM \"{table}\"), 0) + 1, false)"
                : $"DBCC CHECKIDENT (N'[{table}]', RESEED)";
            await db.Database.ExecuteSqlRawAsync(sql, ct);
        }
    }

    private sealed class ImportFailedException(string message, Exception inner) : Exception(message, inner);

    /// <summary>The write pass: one record at a time into EF, saved and cleared every page.</summary>
    private sealed class ImportRun(LicenseManagerDbContext db, Dictionary<string, string?> users, string adminId, string adminEmail,
        SigningKeys signingKeys, TransferPassphrase passphrase)
    {
        private readonly Dictionary<string, long> _counts = TransferFormat.Kinds.ToDictionary(k => k, _ => 0L);
        /// <summary>A saved view's name with a suffix, within the column's 100 characters (the suffix kept whole when it fits).</summary>
        private static string Fit(string name, string suffix)
        {
            const int max = 100;
            if (suffix.Length >= max) return (name + suffix)[..max];
            return (name.Length + suffix.Length <= max ? name : name[..(max - suffix.Length)]) + suffix;
        }
        private readonly SortedDictionary<string, SortedDictionary<string, int>> _reassigned = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _notes = [];
        private readonly HashSet<(long, string)> _recipients = [];
        private readonly HashSet<(string, string, string)> _views = [];
        private int _pending;
        private long _batchFirstLine;
        private string? _identityInsert;

        public static IEnumerable<string> Tables(LicenseManagerDbContext db) =>
            TransferFormat.Kinds.Where(TransferFormat.HasNumericKey).Select(k => db.Model.FindEntityType(EntityOf(k))!.GetTableName()!);

        private static Type EntityOf(string kind) => kind switch
        {
            TransferFormat.Package => typeof(Package), TransferFormat.PackageVersion => typeof(PackageVersion),
            TransferFormat.Account => typeof(Account), TransferFormat.Contact => typeof(Contact), TransferFormat.Lead => typeof(Lead),
            TransferFormat.License => typeof(License), TransferFormat.SeatAssignment => typeof(SeatAssignment),
            TransferFormat.LicenseFieldChange => typeof(LicenseFieldChange), TransferFormat.LicenseStatusChange => typeof(LicenseStatusChange),
            TransferFormat.LicenseRefresh => typeof(LicenseRefresh), TransferFormat.InstallEvent => typeof(InstallEvent),
            TransferFormat.EmailTemplate => typeof(EmailTemplate), TransferFormat.AlertRule => typeof(AlertRule),
            TransferFormat.AlertRuleRecipient => typeof(AlertRuleRecipient), TransferFormat.EmailMessage => typeof(EmailMessage),
            TransferFormat.EmailDeliveryAttempt => typeof(EmailDeliveryAttempt), TransferFormat.SavedView => typeof(SavedView),
            TransferFormat.ApiKey => typeof(ApiKey), TransferFormat.SigningKey => typeof(SigningKey),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        public async Task WriteAsync(Stream input, CancellationToken ct)
        {
            using var reader = new StreamReader(input);
            await reader.ReadLineAsync(ct); // the header, read by the validator
            string? kindOfBatch = null;
            var number = 1L;
            string? line;
            while ((line = await reader.ReadLineAsync(ct)) is not null)
            {
                number++;
                using var doc = JsonDocument.Parse(line);
                var kind = doc.RootElement.GetProperty("kind").GetString()!;
                if (kind != kindOfBatch)
                {
                    await FlushAsync(kindOfBatch, number - 1, ct);
                    if (kind == TransferFormat.TrailerKind) break;
                    await IdentityInsertAsync(kind, ct);
                    kindOfBatch = kind;
                }
                if (_pending == 0) _batchFirstLine = number;
                var record = doc.RootElement.GetProperty("record").Deserialize(TransferFormat.RecordTypes[kind], TransferFormat.Json)!;
                if (Entity(record) is { } entity)
                {
                    db.Add(entity);
                    _pending++;
                }
                _counts[kind]++;
                if (_pending >= TransferFormat.PageSize) await FlushAsync(kind, number, ct);
            }
            await IdentityInsertAsync(null, ct);
        }

        private async Task FlushAsync(string? kind, long lastLine, CancellationToken ct)
        {
            if (_pending == 0) return;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
            {
                var reason = (ex.InnerException ?? ex).Message;
                throw new ImportFailedException(
                    $"Lines {_batchFirstLine}-{lastLine}: the {kind} records can't be written ({reason}). The import was rolled back: nothing was imported.", ex);
            }
            db.ChangeTracker.Clear();
            _pending = 0;
        }

        /// <summary>SQL Server refuses explicit identity values unless asked, one table at a time; the others take them as given.</summary>
        private async Task IdentityInsertAsync(string? kind, CancellationToken ct)
        {
            if (!db.Database.IsSqlServer()) return;
            if (_identityInsert is not null)
            {
                var off = $"SET IDENTITY_INSERT [{_identityInsert}] OFF";
                await db.Database.ExecuteSqlRawAsync(off, ct);
            }
            _identityInsert = kind is null || !TransferFormat.HasNumericKey(kind) ? null : db.Model.FindEntityType(EntityOf(kind))!.GetTableName();
            if (_identityInsert is not null)
            {
                var on = $"SET IDENTITY_INSERT [{_identityInsert}] ON";
                await db.Database.ExecuteSqlRawAsync(on, ct);
            }
        }

        /// <summary>A user id here for an email of the file; a missing user's record goes to the importing administrator.</summary>
        private string UserFor(string email, string what)
        {
            if (users.GetValueOrDefault(email) is { } id) return id;
            if (!_reassigned.TryGetValue(email, out var things)) _reassigned[email] = things = new(StringComparer.Ordinal);
            things[what] = things.GetValueOrDefault(what) + 1;
            return adminId;
        }

        private object? Entity(object record) => record switch
        {
            UserRecord => null,
            PackageRecord p => Audited(new Package
            {
                Id = p.Id, PackageId = p.PackageId, Name = p.Name, DeveloperName = p.DeveloperName, DeveloperOrgId = p.DeveloperOrgId,
                LatestVersion = p.LatestVersion, ReleaseDate = p.ReleaseDate, LeadManagerId = p.LeadManagerEmail is null ? null : UserFor(p.LeadManagerEmail, "package lead manager"),
                IsAssociated = p.IsAssociated, AssociatedAt = p.AssociatedAt, DefaultStatus = p.DefaultStatus, DefaultSeats = p.DefaultSeats,
                DefaultLengthDays = p.DefaultLengthDays, LastLicenseRefreshAt = p.LastLicenseRefreshAt, Version = p.Version,
            }, p.Audit),
            PackageVersionRecord v => Audited(new PackageVersion
            {
                Id = v.Id, PackageKey = v.PackageKey, VersionId = v.VersionId, Name = v.Name, VersionNumber = v.VersionNumber,
                VersionSortKey = v.VersionSortKey, Beta = v.Beta, ReleaseDate = v.ReleaseDate,
            }, v.Audit),
            AccountRecord a => Audited(new Account { Id = a.Id, Name = a.Name, Phone = a.Phone, Website = a.Website, State = a.State, Country = a.Country }, a.Audit),
            ContactRecord c => Audited(new Contact
            {
                Id = c.Id, AccountKey = c.AccountKey, FirstName = c.FirstName, LastName = c.LastName, Email = c.Email, Phone = c.Phone, Title = c.Title,
            }, c.Audit),
            LeadRecord l => Audited(new Lead
            {
                Id = l.Id, FirstName = l.FirstName, LastName = l.LastName, Company = l.Company, Email = l.Email, Phone = l.Phone, State = l.State,
                Country = l.Country, LeadSource = l.LeadSource, OwnerId = l.OwnerEmail is null ? null : UserFor(l.OwnerEmail, "lead"),
                IsConverted = l.IsConverted, ConvertedAt = l.ConvertedAt, ConvertedAccountKey = l.ConvertedAccountKey, ConvertedContactKey = l.ConvertedContactKey,
            }, l.Audit),
            LicenseRecord l => Audited(new License
            {
                Id = l.Id, PackageKey = l.PackageKey, PackageVersionKey = l.PackageVersionKey, PackageVersionNumber = l.PackageVersionNumber,
                Status = l.Status, HasBeenActive = l.HasBeenActive, Seats = l.Seats, ExpirationDate = l.ExpirationDate, InstallDate = l.InstallDate,
                SubscriberOrgId = l.SubscriberOrgId, OrgName = l.OrgName, Instance = l.Instance, OrgEdition = l.OrgEdition, OrgStatus = l.OrgStatus,
                OrgExpirationDate = l.OrgExpirationDate, IsSandbox = l.IsSandbox, ReportedUsedLicenses = l.ReportedUsedLicenses,
                InformationCurrentAsOf = l.InformationCurrentAsOf, SeatsAssignedByApi = l.SeatsAssignedByApi, LastEventAt = l.LastEventAt,
                LeadKey = l.LeadKey, AccountKey = l.AccountKey, ContactKey = l.ContactKey, Version = l.Version,
            }, l.Audit),
            SeatAssignmentRecord s => new SeatAssignment
            {
                Id = s.Id, LicenseKey = s.LicenseKey, SubscriberUserId = s.SubscriberUserId, AssignedAt = s.AssignedAt, AssignedBy = s.AssignedBy,
            },
            LicenseFieldChangeRecord h => new LicenseFieldChange
            {
                Id = h.Id, LicenseKey = h.LicenseKey, ChangedAt = h.ChangedAt, ChangedBy = h.ChangedBy, Field = h.Field, OldValue = h.OldValue, NewValue = h.NewValue,
            },
            LicenseStatusChangeRecord s => new LicenseStatusChange { Id = s.Id, LicenseKey = s.LicenseKey, FromStatus = s.FromStatus, ToStatus = s.ToStatus, ChangedAt = s.ChangedAt },
            LicenseRefreshRecord r => new LicenseRefresh
            {
                Id = r.Id, PackageKey = r.PackageKey, RequestedAt = r.RequestedAt, RequestedBy = r.RequestedBy, StartedAt = r.StartedAt, FinishedAt = r.FinishedAt,
                State = r.State, EventsReplayed = r.EventsReplayed, LicensesCreated = r.LicensesCreated, LicensesUpdated = r.LicensesUpdated,
                Details = r.Details, Error = r.Error,
            },
            InstallEventRecord e => new InstallEvent
            {
                Id = e.Id, EventId = e.EventId, Type = e.Type, OccurredAt = e.OccurredAt, ReceivedAt = e.ReceivedAt, Payload = e.Payload,
                PackageVersionId = e.PackageVersionId, OrgId = e.OrgId, PackageKey = e.PackageKey, State = e.State, HoldCode = e.HoldCode,
                HoldReason = e.HoldReason, Attempts = e.Attempts, ProcessedAt = e.ProcessedAt, LicenseKey = e.LicenseKey,
            },
            EmailTemplateRecord t => Audited(new EmailTemplate { Id = t.Id, DefaultKey = t.DefaultKey, Name = t.Name, Subject = t.Subject, Body = t.Body }, t.Audit),
            AlertRuleRecord r => Audited(new AlertRule
            {
                Id = r.Id, DefaultKey = r.DefaultKey, Name = r.Name, Trigger = r.Trigger, DaysBefore = r.DaysBefore, PackageKey = r.PackageKey,
                TemplateKey = r.TemplateKey, IsEnabled = r.IsEnabled, RecipientRoles = r.RecipientRoles, NotifyLeadOwner = r.NotifyLeadOwner,
            }, r.Audit),
            AlertRuleRecipientRecord r => Recipient(r),
            EmailMessageRecord m => Audited(new EmailMessage
            {
                Id = m.Id, RuleKey = m.RuleKey, LicenseKey = m.LicenseKey, OccurrenceKey = m.OccurrenceKey, Status = m.Status, Recipients = m.Recipients,
                Subject = m.Subject, Body = m.Body, RenderedAt = m.RenderedAt, Attempts = m.Attempts, NextAttemptAt = m.NextAttemptAt,
                LastError = m.LastError, SentAt = m.SentAt, DeliveredVia = m.DeliveredVia,
            }, m.Audit),
            EmailDeliveryAttemptRecord a => new EmailDeliveryAttempt { Id = a.Id, MessageKey = a.MessageKey, AttemptedAt = a.AttemptedAt, Succeeded = a.Succeeded, Error = a.Error },
            SavedViewRecord v => View(v),
            ApiKeyRecord k => new ApiKey
            {
                Id = k.Id, Name = k.Name, Prefix = k.Prefix, SecretHash = Convert.FromBase64String(k.SecretHash), Scopes = k.Scopes, PackageIds = k.PackageIds,
                CreatedAt = k.CreatedAt, CreatedBy = k.CreatedBy, RevokedAt = k.RevokedAt, RevokedBy = k.RevokedBy, LastUsedAt = k.LastUsedAt,
            },
            SigningKeyRecord k => new SigningKey
            {
                Id = k.Id, KeyId = k.KeyId, PublicX = k.PublicX, PublicY = k.PublicY, CreatedAt = k.CreatedAt, RetiredAt = k.RetiredAt,
                // Checked by the validator; re-protected with this instance's Data Protection key ring.
                ProtectedPrivateKey = signingKeys.ProtectPrivateKey(passphrase.Decrypt(k.KeyId, k.EncryptedPrivateKey)!),
            },
            _ => throw new InvalidOperationException($"No entity for {record.GetType().Name}."),
        };

        private static T Audited<T>(T entity, AuditRecord audit) where T : IAudited
        {
            audit.To(entity);
            return entity;
        }

        private AlertRuleRecipient? Recipient(AlertRuleRecipientRecord r)
        {
            var user = UserFor(r.UserEmail, "alert recipient");
            if (_recipients.Add((r.RuleKey, user))) return new AlertRuleRecipient { Id = r.Id, RuleKey = r.RuleKey, UserId = user };
            _notes.Add($"Alert rule #{r.RuleKey}: recipient {r.UserEmail} is already covered by {adminEmail}, who now receives it once.");
            return null;
        }

        private SavedView View(SavedViewRecord v)
        {
            var missing = users.GetValueOrDefault(v.OwnerEmail) is null;
            var owner = UserFor(v.OwnerEmail, "saved view");
            // A missing user's view joins the administrator's own: its name says whose it was (and can't collide with theirs).
            var name = Fit(v.Name, missing ? $" ({v.OwnerEmail})" : "");
            for (var n = 2; !_views.Add((owner, v.List, name)); n++) name = Fit(v.Name, $" ({v.OwnerEmail} {n})");
            return new SavedView { Id = v.Id, OwnerId = owner, List = v.List, Name = name, Query = v.Query, CreatedAt = v.CreatedAt };
        }

        public TransferReport Report()
        {
            var missing = _reassigned.Keys.ToList();
            var notes = _reassigned.Select(r =>
                    $"{r.Key} has no user here: {string.Join(", ", r.Value.Select(t => $"{t.Value} {t.Key}(s)"))} now belong to {adminEmail}.")
                .Concat(_notes).ToList();
            return new TransferReport(_counts, missing, notes);
        }
    }
}
