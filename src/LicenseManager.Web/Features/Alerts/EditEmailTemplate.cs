using FluentValidation;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
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
    public sealed record Outcome(IReadOnlyList<RuleViolation> Errors, EmailTemplate? Template)
    {
        public bool Succeeded => Errors.Count == 0;
    }

    /// <param name="templateKey">Null to create a template.</param>
    public async Task<Outcome> SaveAsync(long? templateKey, EmailTemplateInput input, CancellationToken ct)
    {
        var template = templateKey is { } key ? await db.EmailTemplates.FirstOrDefaultAsync(t => t.Id == key, ct) ?? throw new KeyNotFoundException($"Template {key} not found.") : null;
        var result = await validator.ValidateAsync(input, ct);
        if (!result.IsValid)
            return new([.. result.Errors.Select(e => new RuleViolation(e.PropertyName, "invalid_" + e.PropertyName.ToLowerInvariant(), e.ErrorMessage))], template);
        if (template is null) db.EmailTemplates.Add(template = new EmailTemplate());
        template.Name = input.Name!.Trim();
        template.Subject = input.Subject!.Trim();
        template.Body = input.Body!.ReplaceLineEndings("\n");
        await db.SaveChangesAsync(ct);
        return new([], template);
    }
}
