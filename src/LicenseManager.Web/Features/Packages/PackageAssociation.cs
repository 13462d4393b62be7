using FluentValidation;
using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Features.Packages;

/// <summary>
/// The association defaults as the package page's form and the management API's PUT association send them. The API
/// has no checkboxes: its seats null means Site License and its lengthDays null Does not expire.
/// </summary>
public sealed class PackageAssociationInput
{
    public string? Status { get; set; }
    public bool SiteLicense { get; set; }
    public int? Seats { get; set; }
    public bool DoesNotExpire { get; set; }
    public int? LengthDays { get; set; }
    /// <summary>The version the page showed; a save against a newer one is refused.</summary>
    public int Version { get; set; }

    public LicenseDefaults ToDefaults() => new(Enum.Parse<LicenseStatus>(Status!), SiteLicense ? null : Seats, DoesNotExpire ? null : LengthDays);
}

/// <summary>The shape of the association input, for the page and the API alike; the license rules live in <see cref="LicenseRules.ValidateDefaults"/>.</summary>
public sealed class PackageAssociationInputValidator : AbstractValidator<PackageAssociationInput>
{
    public PackageAssociationInputValidator()
    {
        // Names only, as the form's choices send them: no numbers, no other case.
        RuleFor(x => x.Status).Must(s => LicenseRules.StartingStatuses.Any(status => status.ToString() == s))
            .WithErrorCode(LicenseRules.Codes.StatusNotAllowed).WithMessage(LicenseRules.StartingStatusMessage);
        RuleFor(x => x.Seats).NotNull().When(x => !x.SiteLicense)
            .WithMessage($"Enter a number of seats from 1 to {LicenseRules.MaxSeats:N0}, or choose Site License.");
        RuleFor(x => x.LengthDays).NotNull().When(x => !x.DoesNotExpire)
            .WithMessage("Enter the number of days a license lasts, or choose Does not expire.");
    }
}
