using FluentValidation;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Identity;

namespace LicenseManager.Web.Features.Admin;

/// <summary>The new user form: name, email and first role.</summary>
public sealed class NewUserInput
{
    public string DisplayName { get; set; } = "";
    public string Email { get; set; } = "";
    public string Role { get; set; } = Roles.SalesRep;
}

public sealed class NewUserInputValidator : AbstractValidator<NewUserInput>
{
    public NewUserInputValidator()
    {
        RuleFor(x => x.DisplayName).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Enter the user's name.")
            .MaximumLength(200).WithMessage("The name can be up to 200 characters.");
        RuleFor(x => x.Email).Cascade(CascadeMode.Stop)
            .Must(e => !string.IsNullOrWhiteSpace(e)).WithMessage("Enter an email address.")
            .MaximumLength(254).WithMessage("An email address has up to 254 characters.")
            // Stricter than [EmailAddress], which lets "a@b.example\n" and spaces through.
            .Must(e => Ids.IsEmail(e)).WithMessage("Enter a valid email address: one '@', no spaces or line breaks.");
        RuleFor(x => x.Role).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Choose a role.")
            .Must(r => Roles.All.Contains(r)).WithMessage("Choose one of the LMA roles.");
    }
}

/// <summary>Creates a user with a one-time password (they choose their own at first sign-in).</summary>
public sealed class CreateUser(UserManager<ApplicationUser> users, IValidator<NewUserInput> validator, TimeProvider time)
{
    public const string EmailTakenCode = "email_taken";

    /// <summary>The user and the one-time password to hand over (shown once).</summary>
    public sealed record Created(ApplicationUser User, string Password);

    public async Task<CommandResult<Created>> ExecuteAsync(NewUserInput input, CancellationToken ct)
    {
        var shape = await validator.ValidateAsync(input, ct);
        if (!shape.IsValid) return CommandResult<Created>.Invalid(CommandResult.From(shape));
        var email = input.Email.Trim();
        if (await users.FindByEmailAsync(email) is not null)
            return CommandResult<Created>.Invalid(nameof(input.Email), EmailTakenCode, "A user with this email already exists.");

        var password = DatabaseInitializer.GeneratePassword();
        var user = new ApplicationUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = input.DisplayName.Trim(),
            MustChangePassword = true, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return CommandResult<Created>.Invalid([.. created.Errors.Select(e =>
                new RuleViolation(e.Code.Contains("Email", StringComparison.Ordinal) ? nameof(input.Email) : "", "identity_" + e.Code, e.Description))]);
        await users.AddToRoleAsync(user, input.Role);
        return CommandResult<Created>.Success(new Created(user, password));
    }
}
