using System.Text;
using System.Text.Json;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Moving the LMA (guide, "Move the LMA to Another Org"): everything needed to rebuild it elsewhere, packages,
/// versions, associations with their defaults and lead manager, and the whole installation log, as one JSON Lines
/// file streamed both ways. Importing into a fresh instance replays the log through the install processor, which
/// rebuilds the leads and licenses (a Refresh Licenses afterwards reconciles anything else).
/// </summary>
public sealed class LmaTransfer(LicenseManagerDbContext db, InstallEventSignal signal)
{
    public const string Format = "licensemanager-transfer";
    public const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record Header(string Format, int Version, DateTime ExportedAt, int Packages, long Events);
    public sealed record PackageLine(string Kind, string PackageId, string Name, string DeveloperName, string DeveloperOrgId, DateOnly? ReleaseDate,
        bool Associated, LicenseStatus DefaultStatus, int? DefaultSeats, int? DefaultLengthDays, string? LeadManagerEmail);
    public sealed record EventLine(string Kind, string EventId, InstallEventType Type, DateTime OccurredAt, DateTime ReceivedAt, string Payload);
    public sealed record ImportResult(int Packages, int Events, IReadOnlyList<string> Notes);

    public async Task ExportAsync(Stream output, DateTime now, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        var packages = await db.Packages.AsNoTracking().Include(p => p.LeadManager).OrderBy(p => p.Id).ToListAsync(ct);
        var total = await db.InstallEvents.LongCountAsync(ct);
        await writer.WriteLineAsync(JsonSerializer.Serialize(new Header(Format, FormatVersion, now, packages.Count, total), Json));
        foreach (var p in packages)
            await writer.WriteLineAsync(JsonSerializer.Serialize(new PackageLine("package", p.PackageId, p.Name, p.DeveloperName, p.DeveloperOrgId, p.ReleaseDate,
                p.IsAssociated, p.DefaultStatus, p.DefaultSeats, p.DefaultLengthDays, p.LeadManager?.Email), Json));

        // The log in receipt order, a page at a time: memory stays flat however long the log is.
        long after = 0;
        while (true)
        {
            var page = await db.InstallEvents.AsNoTracking().Where(e => e.Id > after).OrderBy(e => e.Id).Take(2000)
                .Select(e => new { e.Id, e.EventId, e.Type, e.OccurredAt, e.ReceivedAt, e.Payload }).ToListAsync(ct);
            if (page.Count == 0) break;
            foreach (var e in page)
                await writer.WriteLineAsync(JsonSerializer.Serialize(new EventLine("event", e.EventId, e.Type, e.OccurredAt, e.ReceivedAt, e.Payload), Json));
            after = page[^1].Id;
            await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
    }

    /// <summary>Imports into an instance whose installation log is empty; refuses anything else with a reason.</summary>
    public async Task<(ImportResult? Result, string? Error)> ImportAsync(Stream input, CancellationToken ct)
    {
        if (await db.InstallEvents.AnyAsync(ct) || await db.Licenses.AnyAsync(ct))
            return (null, "This instance already has an installation log. Import into a fresh instance, so the imported log is the whole truth.");

        using var reader = new StreamReader(input, Encoding.UTF8);
        var first = await reader.ReadLineAsync(ct);
        Header? header;
        try { header = first is null ? null : JsonSerializer.Deserialize<Header>(first, Json); }
        catch (JsonException) { header = null; }
        if (header is null || header.Format != Format)
            return (null, "This is not a LicenseManager transfer file (the first line must be its header).");
        if (header.Version != FormatVersion)
            return (null, $"This file has format version {header.Version}; this LicenseManager reads version {FormatVersion}.");

        var notes = new List<string>();
        var packages = new List<PackageLine>();
        var events = 0;
        var lineNumber = 1;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        string? line;
        while ((line = await reader.ReadLineAsync(ct)) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                switch (doc.RootElement.GetProperty("kind").GetString())
                {
                    case "package":
                        packages.Add(doc.RootElement.Deserialize<PackageLine>(Json)!);
                        break;
                    case "event":
                        var e = doc.RootElement.Deserialize<EventLine>(Json)!;
                        var request = JsonSerializer.Deserialize<InstallEventRequest>(e.Payload, InstallEventRequest.Json)
                                      ?? throw new JsonException("empty payload");
                        db.InstallEvents.Add(new InstallEvent
                        {
                            EventId = e.EventId, Type = e.Type, OccurredAt = e.OccurredAt, ReceivedAt = e.ReceivedAt, Payload = e.Payload,
                            PackageVersionId = e.Type == InstallEventType.PackageVersionUploaded ? request.PackageVersion?.VersionId : request.PackageVersionId,
                            OrgId = request.Org?.Id, State = InstallEventState.Pending,
                        });
                        if (++events % 2000 == 0)
                        {
                            await db.SaveChangesAsync(ct);
                            db.ChangeTracker.Clear();
                        }
                        break;
                    default:
                        return (null, $"Line {lineNumber}: unknown record kind.");
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return (null, $"Line {lineNumber} can't be read: {ex.Message}");
            }
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        // Packages come back through their upload events; their association, defaults and lead manager are set here.
        foreach (var p in packages)
        {
            var leadManager = p.LeadManagerEmail is null ? null : await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == p.LeadManagerEmail.ToUpperInvariant(), ct);
            if (p.LeadManagerEmail is not null && leadManager is null)
                notes.Add($"Lead manager {p.LeadManagerEmail} of {p.Name} has no user here: the LMA owns its new leads until you choose one.");
            var package = await db.Packages.FirstOrDefaultAsync(x => x.PackageId == p.PackageId, ct);
            if (package is null)
            {
                package = new Package { PackageId = p.PackageId };
                db.Packages.Add(package);
            }
            (package.Name, package.DeveloperName, package.DeveloperOrgId, package.ReleaseDate) = (p.Name, p.DeveloperName, p.DeveloperOrgId, p.ReleaseDate);
            package.IsAssociated = p.Associated;
            package.Defaults = new LicenseDefaults(p.DefaultStatus, p.DefaultSeats, p.DefaultLengthDays);
            package.LeadManagerId = leadManager?.Id;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Nudge();
        return (new ImportResult(packages.Count, events, notes), null);
    }
}
