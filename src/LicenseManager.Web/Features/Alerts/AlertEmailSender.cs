using System.Net.Sockets;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>
/// Delivers the outbox: one node at a time (a singleton lease, taken over within seconds when its holder dies) claims
/// due rows for a short time, renders them on the first attempt, sends, and records every attempt. Rows still claimed by a
/// node that lost the lease or died wait for their claim to run out (two minutes), so a takeover sends nothing twice. A failed attempt is retried with exponential backoff; after <see cref="MaxAttempts"/> the row is
/// Failed and an administrator can resend it.
/// </summary>
public sealed class AlertEmailSender(
    IServiceScopeFactory scopes, SingletonLeases leases, IMailTransport transport, IOptions<SmtpOptions> smtp, TimeProvider time, ILogger<AlertEmailSender> logger)
{
    public const string LeaseName = "alert-email-sender";
    public const int BatchSize = 20;
    public const int MaxAttempts = 10;
    private const int MaxBatchesPerRun = 50;
    /// <summary>
    /// A batch's claim. Only the lease holder claims, but a node that just lost the lease may still be inside an SMTP send:
    /// its claim keeps the new holder off those rows until it runs out, so a takeover doesn't send them twice, and it is
    /// short, so a crash holds those emails back for at most this long.
    /// </summary>
    private static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);
    private readonly string _node = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>1, 2, 4, 8, 16, 32 minutes, then hourly: about six hours from the first failure to Failed.</summary>
    public static TimeSpan Backoff(int failedAttempts) =>
        TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Math.Max(0, failedAttempts - 1)), MaxBackoff.TotalMinutes));

    /// <summary>Sends every due message. Returns how many attempts were made (sent, failed or skipped).</summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default)
    {
        var total = 0;
        await leases.RunAsync(LeaseName, async leaseCt =>
        {
            for (var i = 0; i < MaxBatchesPerRun && !leaseCt.IsCancellationRequested; i++)
            {
                var claimed = await ClaimAsync(leaseCt);
                if (claimed.Count == 0) break;
                total += await DeliverAsync(claimed, leaseCt);
            }
        }, ct);
        return total;
    }

    private static bool IsDue(EmailStatus status) => status is EmailStatus.Queued or EmailStatus.Retrying;

    private async Task<IReadOnlyList<long>> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var candidates = await db.EmailMessages.AsNoTracking()
            .Where(m => (m.Status == EmailStatus.Queued || m.Status == EmailStatus.Retrying) && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Select(m => m.Id).Take(BatchSize).ToListAsync(ct);
        if (candidates.Count == 0) return [];

        // The conditions are checked again by the update itself: a row an administrator changed meanwhile, or one a node
        // that lost the lease is still sending, is left alone.
        var claim = $"{_node}/{Guid.NewGuid():N}";
        var until = now + ClaimDuration;
        await db.EmailMessages
            .Where(m => candidates.Contains(m.Id) && (m.Status == EmailStatus.Queued || m.Status == EmailStatus.Retrying) && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, claim).SetProperty(m => m.ClaimedUntil, until), ct);
        return await db.EmailMessages.AsNoTracking().Where(m => candidates.Contains(m.Id) && m.ClaimedBy == claim).Select(m => m.Id).ToListAsync(ct);
    }

    private async Task<int> DeliverAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var composer = scope.ServiceProvider.GetRequiredService<AlertComposer>();
        var messages = await db.EmailMessages
            .Include(m => m.Rule!).ThenInclude(r => r.Template)
            .Include(m => m.Rule!).ThenInclude(r => r.Recipients)
            .Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync(ct);

        foreach (var message in messages.Where(m => m.RenderedAt is null))
            await RenderAsync(composer, message, ct);
        foreach (var skipped in messages.Where(m => m.Status == EmailStatus.Skipped)) Release(skipped);
        await db.SaveChangesAsync(ct);

        var due = messages.Where(m => IsDue(m.Status)).ToList();
        if (due.Count == 0) return messages.Count;

        IMailSession? session = null;
        string? connectError = null;
        try
        {
            session = await transport.OpenAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            connectError = Describe(e);
            logger.LogWarning("Can't reach the mail server: {Error}", connectError);
        }

        try
        {
            foreach (var message in due)
            {
                var now = time.GetUtcNow().UtcDateTime;
                string? error = connectError;
                string? via = null;
                if (session is not null)
                {
                    try
                    {
                        via = await session.SendAsync(Build(message, now), message.Id, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        error = Describe(e);
                        logger.LogWarning("Email {MessageId} was not sent: {Error}", message.Id, error);
                    }
                }
                Record(db, message, now, via, error);
                // Saved one by one: a crash after a send re-sends at most the message in flight.
                await db.SaveChangesAsync(CancellationToken.None);
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
        }
        return messages.Count;
    }

    private async Task RenderAsync(AlertComposer composer, EmailMessage message, CancellationToken ct)
    {
        var license = await composer.LoadLicenseAsync(message.LicenseKey, ct);
        var rule = message.Rule!;
        message.RenderedAt = time.GetUtcNow().UtcDateTime;
        if (license is null)
        {
            message.Status = EmailStatus.Skipped;
            message.LastError = $"License {message.LicenseKey} no longer exists.";
            return;
        }
        (message.Subject, message.Body) = AlertComposer.Render(rule.Template.Subject, rule.Template.Body, composer.ContextFor(license, rule));
        var recipients = await composer.RecipientsAsync(rule, license, ct);
        message.Recipients = Truncate(string.Join(", ", recipients.Select(r => r.ToString())), 4000);
        if (recipients.Count == 0)
        {
            message.Status = EmailStatus.Skipped;
            message.LastError = "No active recipient with an email address: check the rule's users, roles and the lead owner.";
        }
    }

    private MimeMessage Build(EmailMessage message, DateTime now)
    {
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(smtp.Value.From));
        mail.To.AddRange(InternetAddressList.Parse(message.Recipients ?? ""));
        mail.Subject = message.Subject ?? "";
        mail.Date = now;
        // The same id on every attempt, so a receiving system can drop a copy sent again after a crash.
        mail.MessageId = $"lma-alert-{message.Id}-{message.CreatedAt.Ticks}@licensemanager";
        mail.Headers.Add("X-LMA-Alert", $"rule={message.RuleKey}; license={message.LicenseKey}; occurrence={message.OccurrenceKey}");
        mail.Body = new TextPart("plain") { Text = message.Body ?? "" };
        return mail;
    }

    private static void Record(LicenseManagerDbContext db, EmailMessage message, DateTime now, string? via, string? error)
    {
        message.Attempts++;
        db.EmailDeliveryAttempts.Add(new EmailDeliveryAttempt { MessageKey = message.Id, AttemptedAt = now, Succeeded = error is null, Error = error });
        if (error is null)
        {
            message.Status = EmailStatus.Sent;
            message.SentAt = now;
            message.DeliveredVia = via;
            message.LastError = null;
        }
        else
        {
            message.LastError = error;
            message.Status = message.Attempts >= MaxAttempts ? EmailStatus.Failed : EmailStatus.Retrying;
            message.NextAttemptAt = now + Backoff(message.Attempts);
        }
        Release(message);
    }

    private static void Release(EmailMessage message)
    {
        message.ClaimedBy = null;
        message.ClaimedUntil = null;
    }

    /// <summary>The server's own words where there are some: "550 5.1.1 mailbox unavailable", "Connection refused".</summary>
    internal static string Describe(Exception e) => Truncate(e switch
    {
        SmtpCommandException c => $"SMTP {(int)c.StatusCode} {c.StatusCode}: {c.Message}",
        SmtpProtocolException p => $"SMTP protocol error: {p.Message}",
        AuthenticationException a => $"SMTP authentication failed: {a.Message}",
        SocketException s => $"Can't connect to the SMTP server: {s.Message} ({s.SocketErrorCode})",
        SslHandshakeException t => $"TLS handshake failed: {t.Message}",
        ServiceNotConnectedException n => $"Not connected to the SMTP server: {n.Message}",
        OperationCanceledException or TimeoutException => $"The SMTP server did not answer in time: {e.Message}",
        _ => $"{e.GetType().Name}: {e.GetBaseException().Message}",
    }, 2048);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
