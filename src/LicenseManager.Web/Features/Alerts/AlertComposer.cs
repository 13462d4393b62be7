using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>Turns (rule, license) into an email: who receives it and what it says. Used by the sender and the template preview.</summary>
public sealed class AlertComposer(LicenseManagerDbContext db, IOptions<LmaOptions> lma, TimeProvider time)
{
    public Task<License?> LoadLicenseAsync(long licenseKey, CancellationToken ct) => db.Licenses.AsNoTracking()
        .Include(l => l.Package).Include(l => l.Lead).ThenInclude(l => l!.Owner).Include(l => l.Account).Include(l => l.Contact)
        .FirstOrDefaultAsync(l => l.Id == licenseKey, ct);

    public AlertContext ContextFor(License license, AlertRule? rule) =>
        new(license, rule, lma.Value.PublicBaseUrl, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));

    public static (string Subject, string Body) Render(string subject, string body, AlertContext context) =>
        (Placeholders.Render(subject, context).ReplaceLineEndings(" ").Trim(), Placeholders.Render(body, context));

    /// <summary>
    /// The rule's named users, everyone in its roles and the lead owner, if they are active and have an email address.
    /// Deactivated users receive nothing.
    /// </summary>
    public async Task<IReadOnlyList<MailboxAddress>> RecipientsAsync(AlertRule rule, License license, CancellationToken ct)
    {
        var userIds = rule.Recipients.Select(r => r.UserId).ToList();
        if (rule.NotifyLeadOwner && license.Lead?.OwnerId is { } owner) userIds.Add(owner);
        var roles = rule.Roles.ToList();
        var inRoles = from ur in db.UserRoles
                      join r in db.Roles on ur.RoleId equals r.Id
                      where roles.Contains(r.Name!)
                      select ur.UserId;
        var users = await db.Users.AsNoTracking()
            .Where(u => u.IsActive && u.Email != null && (userIds.Contains(u.Id) || inRoles.Contains(u.Id)))
            .OrderBy(u => u.Email)
            .Select(u => new { u.DisplayName, u.Email })
            .ToListAsync(ct);
        return users.DistinctBy(u => u.Email!.ToUpperInvariant())
            .Select(u => new MailboxAddress(u.DisplayName, u.Email!))
            .ToList();
    }
}
