using FluentValidation;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Alerts;

public sealed class AlertRuleInput
{
    public string? Name { get; set; }
    public string? Trigger { get; set; }
    public int? DaysBefore { get; set; }
    public long? PackageKey { get; set; }
    public long? TemplateKey { get; set; }
    public bool IsEnabled { get; set; }
    public List<string> Roles { get; set; } = [];
    public List<string> UserIds { get; set; } = [];
    public bool NotifyLeadOwner { get; set; }

    public static AlertRuleInput From(AlertRule r) => new()
    {
        Name = r.Name, Trigger = r.Trigger.ToString(), DaysBefore = r.DaysBefore, PackageKey = r.PackageKey, TemplateKey = r.TemplateKey,
        IsEnabled = r.IsEnabled, Roles = [.. r.Roles], UserIds = [.. r.Recipients.Select(x => x.UserId)], NotifyLeadOwner = r.NotifyLeadOwner,
    };
}

public sealed class AlertRuleInputValidator : AbstractValidator<AlertRuleInput>
{
    public const int MaxDaysBefore = 730;

    public AlertRuleInputValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Enter a name for the rule.").MaximumLength(200);
        RuleFor(x => x.Trigger).NotEmpty().WithMessage("Choose when the rule fires.")
            .Must(t => t is null or "" || (Enum.TryParse<AlertTrigger>(t, out var v) && Enum.IsDefined(v) && !int.TryParse(t, out _)))
            .WithMessage("Choose one of the listed triggers.");
        RuleFor(x => x.DaysBefore).NotNull().WithMessage($"Enter how many days before the expiration date to send the alert (1 to {MaxDaysBefore}).")
            .InclusiveBetween(1, MaxDaysBefore).WithMessage($"Days before expiration must be from 1 to {MaxDaysBefore}.")
            .When(x => x.Trigger == nameof(AlertTrigger.LicenseExpiresSoon));
        RuleFor(x => x.TemplateKey).NotNull().WithMessage("Choose the email template.");
        RuleForEach(x => x.Roles).Must(r => Core.Domain.Roles.All.Contains(r)).WithMessage("Choose roles from the list.");
        RuleFor(x => x.UserIds).Must((input, users) => users.Count > 0 || input.Roles.Count > 0 || input.NotifyLeadOwner)
            .OverridePropertyName("Recipients")
            .WithMessage("Choose who receives the alert: users, a role, or the lead owner.");
    }
}

/// <summary>Creates and edits alert rules (Administrators only).</summary>
public sealed class EditAlertRule(LicenseManagerDbContext db, IValidator<AlertRuleInput> validator)
{
    public const string NotFoundCode = "alert_rule_not_found";

    /// <param name="ruleKey">Null to create a rule.</param>
    public async Task<CommandResult<AlertRule>> SaveAsync(long? ruleKey, AlertRuleInput input, CancellationToken ct)
    {
        AlertRule? rule = null;
        if (ruleKey is { } key && (rule = await db.AlertRules.Include(r => r.Recipients).FirstOrDefaultAsync(r => r.Id == key, ct)) is null)
            return CommandResult<AlertRule>.NotFound(NotFoundCode, $"There is no alert rule {key}.");
        var errors = CommandResult.From(await validator.ValidateAsync(input, ct)).ToList();
        if (input.TemplateKey is { } template && !await db.EmailTemplates.AnyAsync(t => t.Id == template, ct))
            errors.Add(new("TemplateKey", "unknown_template", "That template no longer exists: choose another."));
        if (input.PackageKey is { } package && !await db.Packages.AnyAsync(p => p.Id == package, ct))
            errors.Add(new("PackageKey", "unknown_package", "That package doesn't exist: choose another, or All packages."));
        var userIds = input.UserIds.Where(u => !string.IsNullOrEmpty(u)).Distinct().ToList();
        var known = await db.Users.Where(u => userIds.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct);
        if (known.Count != userIds.Count)
            errors.Add(new("Recipients", "unknown_user", "A chosen user no longer exists: choose the recipients again."));
        if (errors.Count > 0) return CommandResult<AlertRule>.Invalid(errors);

        if (rule is null) db.AlertRules.Add(rule = new AlertRule());
        rule.Name = input.Name!.Trim();
        rule.Trigger = Enum.Parse<AlertTrigger>(input.Trigger!);
        rule.DaysBefore = rule.Trigger == AlertTrigger.LicenseExpiresSoon ? input.DaysBefore : null;
        rule.PackageKey = input.PackageKey;
        rule.TemplateKey = input.TemplateKey!.Value;
        rule.IsEnabled = input.IsEnabled;
        rule.Roles = input.Roles;
        rule.NotifyLeadOwner = input.NotifyLeadOwner;
        rule.Recipients.RemoveAll(r => !userIds.Contains(r.UserId));
        foreach (var id in userIds.Where(id => rule.Recipients.All(r => r.UserId != id)))
            rule.Recipients.Add(new AlertRuleRecipient { UserId = id });
        await db.SaveChangesAsync(ct);
        return CommandResult<AlertRule>.Success(rule);
    }
}
