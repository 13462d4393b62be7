using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>The email log: every alert email with its recipients, subject and delivery status; resend a failed one.</summary>
[Authorize(Policy = Policies.Administer)]
[Route("admin/email-log")]
public sealed class EmailLogController(LicenseManagerDbContext db, PickupFolderMailTransport mailFolder, TimeProvider time) : Controller
{
    public static readonly IReadOnlyList<SortColumn<EmailMessage>> Columns =
    [
        SortColumn.For<EmailMessage, long>("queued", "Queued", m => m.Id),
        SortColumn.For<EmailMessage, DateTime?>("sent", "Sent", m => m.SentAt),
        SortColumn.For<EmailMessage, DateTime>("next", "Next attempt", m => m.NextAttemptAt),
    ];

    public sealed record LogPage(IReadOnlyList<EmailMessage> Rows, ListState State, IReadOnlyDictionary<long, string> RuleNames, string? MailFolder);
    public sealed record MessagePage(EmailMessage Message, string RuleName, IReadOnlyList<EmailDeliveryAttempt> Attempts, bool HasEml);

    [HttpGet("")]
    public async Task<IActionResult> Index(string? after, [FromServices] IOptions<SmtpOptions> smtp, CancellationToken ct)
    {
        var (sort, desc) = ListState.ReadSort(Request.Query, Columns.Select(c => c.Name), "queued", true);
        var column = Columns.First(c => c.Name == sort);
        var query = db.EmailMessages.AsNoTracking();
        if (Request.Query.Enum<EmailStatus>("status") is { } status) query = query.Where(m => m.Status == status);
        if (Request.Query.Long("license") is { } license) query = query.Where(m => m.LicenseKey == license);
        var page = await Keyset.PageAsync(query, column, desc, after, ListState.PageSize, ct);
        var rules = await db.AlertRules.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name, ct);
        Page("Email log");
        return View("EmailLog", new LogPage(page.Rows, new ListState("/admin/email-log", Request.Query, sort, desc, page.NextCursor, string.IsNullOrEmpty(after)),
            rules, smtp.Value.UsesSmtp ? null : mailFolder.Folder));
    }

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Details(long id, CancellationToken ct)
    {
        var message = await db.EmailMessages.AsNoTracking().Include(m => m.Rule).FirstOrDefaultAsync(m => m.Id == id, ct);
        if (message is null) return NotFound();
        var attempts = await db.EmailDeliveryAttempts.AsNoTracking().Where(a => a.MessageKey == id).OrderByDescending(a => a.Id).Take(100).ToListAsync(ct);
        Page($"Email {id}");
        return View("EmailMessage", new MessagePage(message, message.Rule?.Name ?? "", attempts, System.IO.File.Exists(mailFolder.FileFor(id))));
    }

    /// <summary>The .eml file written when no SMTP server is configured.</summary>
    [HttpGet("{id:long}/eml")]
    public IActionResult Eml(long id)
    {
        var file = mailFolder.FileFor(id);
        return System.IO.File.Exists(file) ? PhysicalFile(file, "message/rfc822", $"alert-{id}.eml") : NotFound();
    }

    /// <summary>
    /// Queues a failed (or skipped) email again. A failed one keeps what it said and to whom; a skipped one is
    /// rendered again, so recipients added since are found.
    /// </summary>
    [HttpPost("{id:long}/resend")]
    public async Task<IActionResult> Resend(long id, CancellationToken ct)
    {
        var message = await db.EmailMessages.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (message is null) return NotFound();
        if (message.Status is not (EmailStatus.Failed or EmailStatus.Skipped))
        {
            TempData["FlashWarning"] = $"Email {id} is {message.Status}: only a failed or skipped email can be resent.";
            return Redirect($"/admin/email-log/{id}");
        }
        if (message.Status == EmailStatus.Skipped) message.RenderedAt = null;
        message.Status = EmailStatus.Queued;
        message.Attempts = 0;
        message.NextAttemptAt = time.GetUtcNow().UtcDateTime;
        message.ClaimedBy = null;
        message.ClaimedUntil = null;
        await db.SaveChangesAsync(ct);
        TempData["Flash"] = $"Email {id} queued again: it goes out within a minute.";
        return Redirect($"/admin/email-log/{id}");
    }

    private void Page(string title)
    {
        ViewData["Title"] = title;
        ViewData["Section"] = "Alerts";
    }
}
