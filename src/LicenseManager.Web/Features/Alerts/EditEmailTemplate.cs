using FluentValidation;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Alerts;

public sealed class EmailTemplateInput
{
    public string? Name { get; set; }
    public string? Subject { get; set; }
    public string? Body { get; set; }
    /// <summary>The license the preview is rendered on.</summary>
    public long? PreviewLicense { get; set; }

    public static EmailTemplateInput From(EmailTemplate t) => new() { Name = t.Name, Subject = t.Subject, Body = t.Body };
}

/// <summary>Required fields, lengths, and placeholders: an unknown one is refused at its field.</summary>
public sealed class EmailTemplateInputValidator : AbstractValidator<EmailTemplateInput>
{
    public EmailTemplateInputValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Enter a name for the template.").MaximumLength(200);
        RuleFor(x => x.Subject).NotEmpty().WithMessage("Enter a subject.").MaximumLength(500)
            .Custom((text, context) => { foreach (var p in Placeholders.Problems(text)) context.AddFailure(p); });
        RuleFor(x => x.Body).NotEmpty().WithMessage("Enter the body of the email.").MaximumLength(20000)
            .Custom((text, context) => { foreach (var p in Placeholders.Problems(text)) context.AddFailure(p); });
    }
}

/// <summary>Creates and edits email templates.</summary>
public sealed class EditEmailTemplate(LicenseManagerDbContext db, IValidator<EmailTemplateInput> validator)
{
    public const string NotFoundCode = "email_template_not_found";

    /// <summary>A preview saves nothing: the template must exist (when named), and the placeholders' problems show at their fields.</summary>
    public async Task<CommandResult> CheckPreviewAsync(long? templateKey, EmailTemplateInput input, CancellationToken ct)
    {
        if (templateKey is { } key && !await db.EmailTemplates.AnyAsync(t => t.Id == key, ct))
            return CommandResult.NotFound(NotFoundCode, $"There is no email template {key}.");
        var problems = new[] { (nameof(input.Subject), input.Subject), (nameof(input.Body), input.Body) }
            .SelectMany(f => Placeholders.Problems(f.Item2).Select(p => new RuleViolation(f.Item1, "invalid_placeholder", p))).ToList();
        return problems.Count > 0 ? CommandResult.Invalid(problems) : CommandResult.Ok;
    }

    /// <param name="templateKey">Null to create a template.</param>
    public async Task<CommandResult<EmailTemplate>> SaveAsync(long? templateKey, EmailTemplateInput input, CancellationToken ct)
    {
        EmailTemplate? template = null;
        if (templateKey is { } key && (template = await db.EmailTemplates.FirstOrDefaultAsync(t => t.Id == key, ct)) is null)
            return CommandResult<EmailTemplate>.NotFound(NotFoundCode, $"There is no email template {key}.");
        var shape = await validator.ValidateAsync(input, ct);
        if (!shape.IsValid) return CommandResult<EmailTemplate>.Invalid(CommandResult.From(shape));
        if (template is null) db.EmailTemplates.Add(template = new EmailTemplate());
        template.Name = input.Name!.Trim();
        template.Subject = input.Subject!.Trim();
        template.Body = input.Body!.ReplaceLineEndings("\n");
        await db.SaveChangesAsync(ct);
        return CommandResult<EmailTemplate>.Success(template);
    }
}
