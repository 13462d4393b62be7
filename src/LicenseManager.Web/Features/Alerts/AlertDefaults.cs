using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>
/// The templates and rules the LMA ships for the guide's two scenarios (alert sales reps before a license
/// expires; notify retention specialists when an offering is uninstalled). Added at start-up by the database
/// initializer, after migrations, when missing (by their DefaultKey), and disabled: an administrator reviews them and
/// switches them on. Administrators' later edits are kept: an existing default is never overwritten.
/// </summary>
public sealed class AlertDefaults(LicenseManagerDbContext db, ILogger<AlertDefaults> logger)
{
    public const string ExpiryKey = "license-expires-60-days";
    public const string UninstallKey = "license-uninstalled-retention";

    public static EmailTemplate ExpiryTemplate() => new()
    {
        DefaultKey = ExpiryKey,
        Name = "License expires soon (sales rep)",
        Subject = "Renewal: {{org.name}}'s {{package.name}} license expires on {{license.expirationDate}}",
        Body = """
            Hello,

            The {{package.name}} license of {{org.name}} expires on {{license.expirationDate}}, in {{license.daysToExpiry}} days.
            Now is a good time to talk with the customer about renewing.

            License:      {{license.name}} ({{license.status}}, {{license.seats}} seats, {{license.usedLicenses}} used)
            Org:          {{org.name}} ({{org.id}}, {{org.edition}})
            Account:      {{account.name}}
            Contact:      {{contact.name}} {{contact.email}} {{contact.phone}}
            Installed by: {{lead.name}} {{lead.email}} {{lead.phone}}

            Open the license: {{license.url}}

            -- LicenseManager alert "{{rule.name}}"
            """,
    };

    public static EmailTemplate UninstallTemplate() => new()
    {
        DefaultKey = UninstallKey,
        Name = "Offering uninstalled (retention)",
        Subject = "Uninstalled: {{org.name}} removed {{package.name}}",
        Body = """
            Hello,

            {{org.name}} ({{org.id}}) uninstalled {{package.name}} {{package.version}}.
            Reach out to learn why and whether we can win the customer back.

            License:      {{license.name}} (installed {{license.installDate}}, expiration {{license.expirationDate}})
            Account:      {{account.name}}
            Contact:      {{contact.name}} {{contact.email}} {{contact.phone}}
            Installed by: {{lead.name}} {{lead.email}} {{lead.phone}}
            Sales rep:    {{lead.owner}}

            Open the license: {{license.url}}

            -- LicenseManager alert "{{rule.name}}"
            """,
    };

    public async Task EnsureAsync(CancellationToken ct)
    {
        await EnsureAsync(ExpiryTemplate(), t => new AlertRule
        {
            Name = "Sales rep: license expires in 60 days", Trigger = AlertTrigger.LicenseExpiresSoon, DaysBefore = 60, NotifyLeadOwner = true, Template = t,
        }, ct);
        await EnsureAsync(UninstallTemplate(), t => new AlertRule
        {
            Name = "Retention: offering uninstalled", Trigger = AlertTrigger.LicenseUninstalled, Roles = [Roles.RetentionSpecialist], Template = t,
        }, ct);
    }

    private async Task EnsureAsync(EmailTemplate template, Func<EmailTemplate, AlertRule> rule, CancellationToken ct)
    {
        var key = template.DefaultKey!;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var existing = await db.EmailTemplates.FirstOrDefaultAsync(t => t.DefaultKey == key, ct);
                if (existing is null) db.EmailTemplates.Add(existing = template);
                if (!await db.AlertRules.AnyAsync(r => r.DefaultKey == key, ct))
                {
                    var added = rule(existing);
                    added.DefaultKey = key;
                    added.IsEnabled = false;
                    db.AlertRules.Add(added);
                }
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateException e) when (attempt < 3)
            {
                // Another node added this default at the same moment (unique DefaultKey): look again and add what's left.
                logger.LogDebug(e, "Default alert {Key} was being added by another node", key);
                db.ChangeTracker.Clear();
                template = key == ExpiryKey ? ExpiryTemplate() : UninstallTemplate();
            }
        }
    }
}
