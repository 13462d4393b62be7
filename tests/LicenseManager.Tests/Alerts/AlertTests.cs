using System.Net;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Alerts;
using LicenseManager.Web.Features.Licenses;
using LicenseManager.Web.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;

namespace LicenseManager.Tests.Alerts;

/// <summary>Alerts by email, end to end against a real SMTP server on loopback, on every database.</summary>
public abstract class AlertTests<TApp>(TApp app) where TApp : LmaApp, IAlertsApp
{
    private DateOnly Today => DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);

    [SkippableFact]
    public async Task Expiry_scan_emails_the_named_users_and_the_lead_owner_once_and_a_second_run_sends_nothing_new()
    {
        Requires.Available(app);
        var owner = await app.CreateUserAsync(Roles.SalesRep);
        var named = await app.CreateUserAsync(Roles.LicenseManager);
        var deactivated = await app.CreateUserAsync(Roles.SalesRep, active: false);
        var package = await app.CreatePackageAsync(leadManagerId: owner.Id);
        var soon = await InstallAsync(package, expiresInDays: 10);
        var later = await InstallAsync(package, expiresInDays: 45);
        var expired = await InstallAsync(package, expiresInDays: -1);
        var uninstalled = await InstallAsync(package, expiresInDays: 5);
        await app.SendAsync(Events.Uninstall(package.VersionId, uninstalled.Org));
        var rule = await CreateRuleAsync(AlertTrigger.LicenseExpiresSoon, package, daysBefore: 30, users: [named.Id, deactivated.Id], leadOwner: true);

        await RunExpiryScanAsync();

        var mail = Assert.Single(MailFor(package));
        Assert.Contains(soon.OrgName, mail.Subject);
        Assert.Equal(new[] { named.Email!, owner.Email! }.Order(), Recipients(mail).Order());
        Assert.Contains($"http://lma.test/licenses/{soon.License}", Body(mail));
        Assert.Contains(Today.AddDays(10).ToString("yyyy-MM-dd"), Body(mail));
        Assert.DoesNotContain(MailFor(package), m => m.Subject.Contains(later.OrgName) || m.Subject.Contains(expired.OrgName) || m.Subject.Contains(uninstalled.OrgName));

        await RunExpiryScanAsync();
        await RunSweepAsync();

        Assert.Single(MailFor(package));
        var queued = await app.WithDb(db => db.EmailMessages.Where(m => m.RuleKey == rule).ToListAsync());
        var message = Assert.Single(queued);
        Assert.Equal((EmailStatus.Sent, soon.License, 1), (message.Status, message.LicenseKey, message.Attempts));
    }

    [SkippableFact]
    public async Task Expiry_scan_queues_exactly_the_licenses_the_rules_window_holds()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var licenses = new List<Installed>();
        foreach (var days in new[] { -1, 0, 7, 8 }) licenses.Add(await InstallAsync(package, expiresInDays: days));
        var suspended = await InstallAsync(package, expiresInDays: 7);
        await using (var scope = app.Scope())
        {
            var modify = scope.ServiceProvider.GetRequiredService<ModifyLicense>();
            var current = (await app.WithDb(db => db.Licenses.AsNoTracking().SingleAsync(l => l.Id == suspended.License)));
            var input = ModifyLicense.InputFor(current);
            input.Status = nameof(LicenseStatus.Suspended);
            Assert.True((await modify.ExecuteAsync(suspended.License, input, default)).Succeeded);
        }
        var uninstalled = await InstallAsync(package, expiresInDays: 0);
        await app.SendAsync(Events.Uninstall(package.VersionId, uninstalled.Org));
        licenses.AddRange([suspended, uninstalled]);
        var rule = await CreateRuleAsync(AlertTrigger.LicenseExpiresSoon, package, daysBefore: 7, leadOwner: true);

        await RunExpiryScanAsync();

        var window = LicenseRules.ExpiryWindowFor(Today, 7);
        var keys = licenses.Select(l => l.License).ToList();
        var expected = (await app.WithDb(db => db.Licenses.AsNoTracking().Where(l => keys.Contains(l.Id)).ToListAsync()))
            .Where(window.Contains).Select(l => l.Id).Order().ToList();
        var queued = await app.WithDb(db => db.EmailMessages.Where(m => m.RuleKey == rule).Select(m => m.LicenseKey).OrderBy(k => k).ToListAsync());
        Assert.Equal(new[] { licenses[1].License, licenses[2].License, suspended.License }.Order(), expected);
        Assert.Equal(expected, queued);
    }

    [SkippableFact]
    public async Task An_administrator_can_run_the_expiry_scan_now_and_others_cannot()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var soon = await InstallAsync(package, expiresInDays: 3);
        var rule = await CreateRuleAsync(AlertTrigger.LicenseExpiresSoon, package, daysBefore: 7, leadOwner: true);

        using var rep = await app.SignInAsNewUserAsync(Roles.SalesRep);
        var denied = await rep.PostFormAsync("/admin/alerts/expiry-scan", new(), tokenFrom: "/licenses");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(0, await app.WithDb(db => db.EmailMessages.CountAsync(m => m.RuleKey == rule)));

        using var admin = await app.SignInAsAdminAsync();
        var run = await admin.PostFormAsync("/admin/alerts/expiry-scan", new(), tokenFrom: "/admin/alerts");
        Assert.Equal(HttpStatusCode.Redirect, run.StatusCode);
        var page = await admin.GetPageAsync("/admin/alerts");
        Assert.Contains("Expiry scan done", page);
        var queued = Assert.Single(await app.WithDb(db => db.EmailMessages.Where(m => m.RuleKey == rule).ToListAsync()));
        Assert.Equal(soon.License, queued.LicenseKey);
    }

    [SkippableFact]
    public async Task An_uninstall_event_leads_to_one_retention_email_to_the_active_retention_specialists()
    {
        Requires.Available(app);
        var specialist = await app.CreateUserAsync(Roles.RetentionSpecialist);
        var former = await app.CreateUserAsync(Roles.RetentionSpecialist, active: false);
        var package = await app.CreatePackageAsync();
        await CreateRuleAsync(AlertTrigger.LicenseUninstalled, package, roles: [Roles.RetentionSpecialist], template: AlertDefaults.UninstallKey);
        var org = await InstallAsync(package, expiresInDays: 100);

        await app.SendAsync(Events.Uninstall(package.VersionId, org.Org));
        await RunSweepAsync();
        await RunSweepAsync();

        var mail = Assert.Single(MailFor(package));
        Assert.StartsWith($"Uninstalled: {org.OrgName}", mail.Subject);
        var expected = await app.WithDb(async db =>
        {
            var role = await db.Roles.SingleAsync(r => r.Name == Roles.RetentionSpecialist);
            return await db.Users.Where(u => u.IsActive && db.UserRoles.Any(ur => ur.UserId == u.Id && ur.RoleId == role.Id)).Select(u => u.Email!).ToListAsync();
        });
        Assert.Contains(specialist.Email!, Recipients(mail));
        Assert.DoesNotContain(former.Email!, Recipients(mail));
        Assert.Equal(expected.Order(), Recipients(mail).Order());
        Assert.Equal(0, await app.WithDb(db => db.LicenseStatusChanges.CountAsync(c => c.LicenseKey == org.License)));
    }

    [SkippableFact]
    public async Task Suspending_a_license_through_Modify_License_sends_the_status_change_alert()
    {
        Requires.Available(app);
        var rep = await app.CreateUserAsync(Roles.SalesRep);
        var package = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 10, 365));
        await CreateRuleAsync(AlertTrigger.LicenseSuspended, package, users: [rep.Id]);
        var org = await InstallAsync(package, expiresInDays: 200);

        var license = await app.WithDb(db => db.Licenses.AsNoTracking().SingleAsync(l => l.Id == org.License));
        var input = ModifyLicense.InputFor(license);
        input.Status = nameof(LicenseStatus.Suspended);
        await using (var scope = app.Scope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<ModifyLicense>().ExecuteAsync(org.License, input, default)).Succeeded);
        await RunSweepAsync();

        var mail = Assert.Single(MailFor(package));
        Assert.Equal([rep.Email!], Recipients(mail));
    }

    [SkippableFact]
    public async Task With_the_SMTP_server_down_the_error_is_recorded_and_retried_and_every_message_arrives_once_when_it_is_back()
    {
        Requires.Available(app);
        var rep = await app.CreateUserAsync(Roles.RetentionSpecialist);
        var package = await app.CreatePackageAsync();
        var rule = await CreateRuleAsync(AlertTrigger.LicenseUninstalled, package, users: [rep.Id]);
        var first = await InstallAsync(package, expiresInDays: 100);
        var second = await InstallAsync(package, expiresInDays: 100);
        await app.SendAsync(Events.Uninstall(package.VersionId, first.Org), Events.Uninstall(package.VersionId, second.Org));

        app.Mail.Stop();
        try
        {
            await RunSweepAsync();
            var failed = await app.WithDb(db => db.EmailMessages.AsNoTracking().Where(m => m.RuleKey == rule).ToListAsync());
            Assert.Equal(2, failed.Count);
            Assert.All(failed, m =>
            {
                Assert.Equal(EmailStatus.Retrying, m.Status);
                Assert.Equal(1, m.Attempts);
                Assert.Contains("connect", m.LastError, StringComparison.OrdinalIgnoreCase);
                Assert.Equal(app.Clock.GetUtcNow().UtcDateTime + AlertEmailSender.Backoff(1), m.NextAttemptAt, TimeSpan.FromSeconds(5));
                Assert.Null(m.ClaimedBy);
            });
            var ids = failed.Select(m => m.Id).ToList();
            var attempts = await app.WithDb(db => db.EmailDeliveryAttempts.Where(a => ids.Contains(a.MessageKey)).ToListAsync());
            Assert.Equal(2, attempts.Count);
            Assert.All(attempts, a => Assert.False(a.Succeeded));
            Assert.All(attempts, a => Assert.False(string.IsNullOrEmpty(a.Error)));
        }
        finally
        {
            app.Mail.Start();
        }

        await RunSweepAsync(); // not due yet: the backoff holds
        Assert.Empty(MailFor(package));

        app.Clock.Advance(AlertEmailSender.Backoff(1) + TimeSpan.FromSeconds(1));
        await RunSweepAsync();
        await RunSweepAsync();

        Assert.Equal(2, MailFor(package).Count);
        Assert.Single(MailFor(package), m => m.Subject.Contains(first.OrgName));
        Assert.Single(MailFor(package), m => m.Subject.Contains(second.OrgName));
        var sent = await app.WithDb(db => db.EmailMessages.AsNoTracking().Where(m => m.RuleKey == rule).ToListAsync());
        Assert.All(sent, m => Assert.Equal((EmailStatus.Sent, 2), (m.Status, m.Attempts)));
    }

    [SkippableFact]
    public async Task Deactivated_users_receive_nothing()
    {
        Requires.Available(app);
        var deactivated = await app.CreateUserAsync(Roles.SalesRep, active: false);
        var package = await app.CreatePackageAsync();
        var rule = await CreateRuleAsync(AlertTrigger.LicenseUninstalled, package, users: [deactivated.Id]);
        var org = await InstallAsync(package, expiresInDays: 100);

        await app.SendAsync(Events.Uninstall(package.VersionId, org.Org));
        await RunSweepAsync();

        Assert.Empty(MailFor(package));
        Assert.DoesNotContain(app.Mail.Received, m => Recipients(m).Contains(deactivated.Email!));
        var message = await app.WithDb(db => db.EmailMessages.AsNoTracking().SingleAsync(m => m.RuleKey == rule));
        Assert.Equal(EmailStatus.Skipped, message.Status);
        Assert.Contains("No active recipient", message.LastError);
    }

    [SkippableFact]
    public async Task A_template_with_an_unknown_placeholder_is_refused_with_a_message_at_the_field()
    {
        Requires.Available(app);
        using var admin = await app.SignInAsAdminAsync();
        var name = $"Bad template {Guid.NewGuid():N}";

        var response = await admin.PostFormAsync("/admin/alerts/templates/new", new()
        {
            ["Name"] = name, ["Subject"] = "Renewal for {{org.name}}", ["Body"] = "It expires on {{license.expiry}}.", ["intent"] = "save",
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        Assert.Contains("Unknown placeholder {{license.expiry}}", page.QuerySelector("[data-testid=error-body]")!.TextContent);
        Assert.Equal("", page.QuerySelector("[data-testid=error-subject]")!.TextContent.Trim());
        Assert.Equal("It expires on {{license.expiry}}.", page.QuerySelector("#Body")!.TextContent);
        Assert.False(await app.WithDb(db => db.EmailTemplates.AnyAsync(t => t.Name == name)));

        var fixedResponse = await admin.PostFormAsync("/admin/alerts/templates/new", new()
        {
            ["Name"] = name, ["Subject"] = "Renewal for {{org.name}}", ["Body"] = "It expires on {{license.expirationDate}}.", ["intent"] = "save",
        });
        Assert.Equal(HttpStatusCode.Redirect, fixedResponse.StatusCode);
        Assert.True(await app.WithDb(db => db.EmailTemplates.AnyAsync(t => t.Name == name)));
    }

    [SkippableFact]
    public async Task Alert_pages_render_the_preview_shows_a_real_license_and_a_failed_email_can_be_resent()
    {
        Requires.Available(app);
        var rep = await app.CreateUserAsync(Roles.SalesRep);
        var package = await app.CreatePackageAsync();
        var rule = await CreateRuleAsync(AlertTrigger.LicenseUninstalled, package, users: [rep.Id]);
        var org = await InstallAsync(package, expiresInDays: 100);
        await app.SendAsync(Events.Uninstall(package.VersionId, org.Org));
        await RunSweepAsync();
        Assert.Single(MailFor(package));
        var id = await app.WithDb(db => db.EmailMessages.Where(m => m.RuleKey == rule).Select(m => m.Id).SingleAsync());
        await app.WithDb(db => db.EmailMessages.Where(m => m.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, EmailStatus.Failed).SetProperty(m => m.LastError, "SMTP 550 MailboxUnavailable: no such user")));

        using var admin = await app.SignInAsAdminAsync();
        var template = await app.WithDb(db => db.EmailTemplates.Where(t => t.DefaultKey == AlertDefaults.ExpiryKey).Select(t => t.Id).SingleAsync());
        var preview = await admin.GetPageAsync($"/admin/alerts/templates/{template}?license={org.License}");
        Assert.Contains(org.OrgName, new HtmlParser().ParseDocument(preview).QuerySelector("[data-testid=preview-subject]")!.TextContent);
        await admin.GetPageAsync("/admin/alerts");
        await admin.GetPageAsync("/admin/alerts/rules/new");
        await admin.GetPageAsync($"/admin/alerts/rules/{rule}");
        var log = await admin.GetPageAsync($"/admin/email-log?license={org.License}");
        Assert.Contains("no such user", log);
        Assert.Contains("Failed", new HtmlParser().ParseDocument(log).QuerySelector("[data-testid=email-status]")!.TextContent);

        var resend = await admin.PostFormAsync($"/admin/email-log/{id}/resend", new(), tokenFrom: $"/admin/email-log/{id}");
        Assert.Equal(HttpStatusCode.Redirect, resend.StatusCode);
        await RunSweepAsync();

        Assert.Equal(2, MailFor(package).Count);
        Assert.Equal(EmailStatus.Sent, await app.WithDb(db => db.EmailMessages.Where(m => m.Id == id).Select(m => m.Status).SingleAsync()));
        using var rep2 = await app.SignInAsNewUserAsync(Roles.SalesRep);
        var denied = await rep2.GetAsync("/admin/email-log");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("data-testid=\"forbidden\"", await denied.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task Default_rules_and_templates_are_there_once_and_disabled()
    {
        Requires.Available(app);
        var rules = await app.WithDb(db => db.AlertRules.AsNoTracking().Where(r => r.DefaultKey != null).ToListAsync());
        Assert.Equal(2, rules.Count);
        Assert.All(rules, r => Assert.False(r.IsEnabled));
        Assert.Contains(rules, r => r.Trigger == AlertTrigger.LicenseUninstalled && r.Roles.SequenceEqual([Roles.RetentionSpecialist]));
        Assert.Contains(rules, r => r.Trigger == AlertTrigger.LicenseExpiresSoon && r.DaysBefore == 60 && r.NotifyLeadOwner);
        Assert.Equal(2, await app.WithDb(db => db.EmailTemplates.CountAsync(t => t.DefaultKey != null)));
    }

    // ---- helpers

    private sealed record Installed(string Org, string OrgName, long License);

    private async Task<Installed> InstallAsync(LmaApp.TestPackage package, int expiresInDays)
    {
        var org = Events.NewOrgId();
        var name = $"Org {org}";
        await app.SendAsync(Events.Install(package.VersionId, org, company: name));
        var license = (await app.LicenseAsync(package.Key, org))!;
        var expires = Today.AddDays(expiresInDays);
        await app.WithDb(db => db.Licenses.Where(l => l.Id == license.Id).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpirationDate, expires)));
        return new Installed(org, name, license.Id);
    }

    private async Task<long> CreateRuleAsync(AlertTrigger trigger, LmaApp.TestPackage package, int? daysBefore = null, string[]? roles = null,
        string[]? users = null, bool leadOwner = false, string template = AlertDefaults.ExpiryKey)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Core.Data.LicenseManagerDbContext>();
        var templateKey = await db.EmailTemplates.Where(t => t.DefaultKey == template).Select(t => t.Id).SingleAsync();
        var outcome = await scope.ServiceProvider.GetRequiredService<EditAlertRule>().SaveAsync(null, new AlertRuleInput
        {
            Name = $"{trigger} {package.PackageId}", Trigger = trigger.ToString(), DaysBefore = daysBefore, PackageKey = package.Key, TemplateKey = templateKey,
            IsEnabled = true, Roles = [.. roles ?? []], UserIds = [.. users ?? []], NotifyLeadOwner = leadOwner,
        }, default);
        Assert.True(outcome.Succeeded, string.Join(" ", outcome.Violations.Select(e => e.Message)));
        return outcome.Value!.Id;
    }

    private async Task RunSweepAsync()
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<SendAlertEmailsJob>().RunAsync(default);
    }

    private async Task RunExpiryScanAsync()
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<ExpiryAlertScanJob>().RunAsync(default);
    }

    /// <summary>Mail about this package's licenses (each test's orgs are unique, named "Org &lt;id&gt;").</summary>
    private List<SmtpMessage> MailFor(LmaApp.TestPackage package)
    {
        var orgs = app.WithDb(db => db.Licenses.Where(l => l.PackageKey == package.Key).Select(l => l.OrgName).ToListAsync()).GetAwaiter().GetResult();
        return app.Mail.Received.Where(m => orgs.Any(o => m.Subject.Contains(o))).ToList();
    }

    private static List<string> Recipients(SmtpMessage mail) => mail.ToAddresses.Select(a => a.Address).ToList();

    private static string Body(SmtpMessage mail) => mail.MessageParts[0].BodyData;
}

public sealed class SqliteAlertTests(AlertsSqliteApp app) : AlertTests<AlertsSqliteApp>(app), IClassFixture<AlertsSqliteApp>;

public sealed class PostgresAlertTests(AlertsPostgresApp app) : AlertTests<AlertsPostgresApp>(app), IClassFixture<AlertsPostgresApp>;
