using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>Administrators manage alert rules and email templates, with a preview rendered on a real license.</summary>
[Authorize(Policy = Policies.Administer)]
[Route("admin/alerts")]
public sealed class AlertsController(LicenseManagerDbContext db, EditAlertRule editRule, EditEmailTemplate editTemplate, AlertComposer composer) : Controller
{
    public sealed record RuleRow(AlertRule Rule, string TemplateName, string? PackageName, IReadOnlyList<string> UserNames);
    public sealed record AlertsPage(IReadOnlyList<RuleRow> Rules, IReadOnlyList<EmailTemplate> Templates, bool UsesSmtp);

    public sealed record RulePage(long? Id, AlertRuleInput Input, IReadOnlyList<(long Key, string Name)> Templates,
        IReadOnlyList<(long Key, string Name)> Packages, IReadOnlyList<(string Id, string Name, bool IsActive)> Users);

    public sealed record Preview(long LicenseKey, string Subject, string Body);
    public sealed record TemplatePage(long? Id, EmailTemplateInput Input, Preview? Preview, string? PreviewNote);

    [HttpGet("")]
    public async Task<IActionResult> Index([FromServices] Microsoft.Extensions.Options.IOptions<SmtpOptions> smtp, CancellationToken ct)
    {
        var rules = await db.AlertRules.AsNoTracking().Include(r => r.Template).Include(r => r.Package)
            .Include(r => r.Recipients).ThenInclude(x => x.User).OrderBy(r => r.Name).ThenBy(r => r.Id).ToListAsync(ct);
        var rows = rules.Select(r => new RuleRow(r, r.Template.Name, r.Package?.Name,
            r.Recipients.Select(x => Display.Owner(x.User) + (x.User is { IsActive: false } ? " (deactivated)" : "")).ToList())).ToList();
        var templates = await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        Page("Alerts");
        return View(new AlertsPage(rows, templates, smtp.Value.UsesSmtp));
    }

    /// <summary>
    /// Runs the daily expiry scan now (after switching a rule on, or to check what it would queue): it queues the
    /// reminders not queued before, exactly as the nightly job does, and the outbox sweep sends them within a minute.
    /// </summary>
    [HttpPost("expiry-scan")]
    public async Task<IActionResult> RunExpiryScan([FromServices] ExpiryAlertScan scan, CancellationToken ct)
    {
        var outcome = await scan.ScanAsync(ct);
        if (outcome.Ran)
            TempData["Flash"] = $"Expiry scan done in {outcome.Elapsed.TotalSeconds:0.0} s: {outcome.Licenses:N0} licenses in the enabled rules' windows, "
                                + $"{outcome.Queued:N0} new reminders queued (they go out within a minute).";
        else
            TempData["FlashWarning"] = "An expiry scan is already running (here or on another node); nothing was started.";
        return Redirect("/admin/alerts");
    }

    [HttpGet("rules/new")]
    public async Task<IActionResult> NewRule(CancellationToken ct)
    {
        var template = await db.EmailTemplates.OrderBy(t => t.Id).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
        Page("New alert rule");
        return View("EditRule", await RulePageAsync(null, new AlertRuleInput { Trigger = nameof(AlertTrigger.LicenseExpiresSoon), DaysBefore = 30, TemplateKey = template }, ct));
    }

    [HttpGet("rules/{id:long}")]
    public async Task<IActionResult> EditRule(long id, CancellationToken ct)
    {
        var rule = await db.AlertRules.AsNoTracking().Include(r => r.Recipients).FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null) return NotFound();
        Page($"Alert rule: {rule.Name}");
        return View("EditRule", await RulePageAsync(id, AlertRuleInput.From(rule), ct));
    }

    [HttpPost("rules/new")]
    public Task<IActionResult> CreateRule(AlertRuleInput input, CancellationToken ct) => SaveRuleAsync(null, input, ct);

    [HttpPost("rules/{id:long}")]
    public Task<IActionResult> UpdateRule(long id, AlertRuleInput input, CancellationToken ct) => SaveRuleAsync(id, input, ct);

    private async Task<IActionResult> SaveRuleAsync(long? id, AlertRuleInput input, CancellationToken ct)
    {
        var result = await editRule.SaveAsync(id, input, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded)
        {
            TempData["Flash"] = $"Alert rule \"{result.Value!.Name}\" saved{(result.Value.IsEnabled ? "" : " (disabled)")}.";
            return Redirect("/admin/alerts");
        }
        result.ShowOn(this);
        Page(id is null ? "New alert rule" : "Alert rule");
        return View("EditRule", await RulePageAsync(id, input, ct));
    }

    private async Task<RulePage> RulePageAsync(long? id, AlertRuleInput input, CancellationToken ct)
    {
        var templates = (await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct)).Select(t => (t.Id, t.Name)).ToList();
        var packages = (await db.Packages.AsNoTracking().OrderBy(p => p.Name).Select(p => new { p.Id, p.Name }).ToListAsync(ct)).Select(p => (p.Id, p.Name)).ToList();
        var users = (await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Select(u => new { u.Id, u.DisplayName, u.Email, u.IsActive }).ToListAsync(ct))
            .Select(u => (u.Id, $"{u.DisplayName} <{u.Email}>", u.IsActive)).ToList();
        return new RulePage(id, input, templates, packages, users);
    }

    [HttpGet("templates/new")]
    public async Task<IActionResult> NewTemplate(CancellationToken ct)
    {
        var input = new EmailTemplateInput { Name = "", Subject = "{{org.name}}: license {{license.name}}", Body = "Open the license: {{license.url}}\n" };
        Page("New email template");
        return View("EditTemplate", await TemplatePageAsync(null, input, ct));
    }

    [HttpGet("templates/{id:long}")]
    public async Task<IActionResult> EditTemplate(long id, long? license, CancellationToken ct)
    {
        var template = await db.EmailTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (template is null) return NotFound();
        var input = EmailTemplateInput.From(template);
        input.PreviewLicense = license;
        Page($"Email template: {template.Name}");
        return View("EditTemplate", await TemplatePageAsync(id, input, ct));
    }

    /// <summary>Save, or (with intent=preview) render the posted text on a license without saving.</summary>
    [HttpPost("templates/new")]
    public Task<IActionResult> CreateTemplate(EmailTemplateInput input, string? intent, CancellationToken ct) => SaveTemplateAsync(null, input, intent, ct);

    [HttpPost("templates/{id:long}")]
    public Task<IActionResult> UpdateTemplate(long id, EmailTemplateInput input, string? intent, CancellationToken ct) =>
        SaveTemplateAsync(id, input, intent, ct);

    private async Task<IActionResult> SaveTemplateAsync(long? id, EmailTemplateInput input, string? intent, CancellationToken ct)
    {
        Page(id is null ? "New email template" : "Email template");
        if (intent == "preview")
        {
            var preview = await editTemplate.CheckPreviewAsync(id, input, ct);
            if (preview.Status == CommandStatus.NotFound) return NotFound();
            preview.ShowOn(this);
            Response.StatusCode = StatusCodes.Status200OK; // a preview with problems is still the preview asked for
            return View("EditTemplate", await TemplatePageAsync(id, input, ct));
        }
        var result = await editTemplate.SaveAsync(id, input, ct);
        if (result.Status == CommandStatus.NotFound) return NotFound();
        if (result.Succeeded)
        {
            TempData["Flash"] = $"Email template \"{result.Value!.Name}\" saved.";
            return Redirect($"/admin/alerts/templates/{result.Value.Id}");
        }
        result.ShowOn(this);
        return View("EditTemplate", await TemplatePageAsync(id, input, ct));
    }

    private async Task<TemplatePage> TemplatePageAsync(long? id, EmailTemplateInput input, CancellationToken ct)
    {
        var licenseKey = input.PreviewLicense ?? await db.Licenses.OrderByDescending(l => l.Id).Select(l => (long?)l.Id).FirstOrDefaultAsync(ct);
        if (licenseKey is null) return new TemplatePage(id, input, null, "The preview needs a license: it appears once a package is installed somewhere.");
        var license = await composer.LoadLicenseAsync(licenseKey.Value, ct);
        if (license is null) return new TemplatePage(id, input, null, $"License {licenseKey} doesn't exist: enter another license number.");
        var rule = id is null ? null : await db.AlertRules.AsNoTracking().Where(r => r.TemplateKey == id).OrderBy(r => r.Id).FirstOrDefaultAsync(ct);
        var (subject, body) = AlertComposer.Render(input.Subject ?? "", input.Body ?? "", composer.ContextFor(license, rule));
        input.PreviewLicense = license.Id;
        return new TemplatePage(id, input, new Preview(license.Id, subject, body), null);
    }

    private void Page(string title)
    {
        ViewData["Title"] = title;
        ViewData["Section"] = "Alerts";
    }
}
