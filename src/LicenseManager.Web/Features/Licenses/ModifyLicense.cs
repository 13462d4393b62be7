using System.Globalization;
using FluentValidation;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>The Modify License form and the management API's modify body: Expiration, Seats, Status.</summary>
public sealed class ModifyLicenseInput
{
    public string? Status { get; set; }
    public bool SiteLicense { get; set; }
    public int? Seats { get; set; }
    public bool DoesNotExpire { get; set; }
    public DateOnly? ExpirationDate { get; set; }
    /// <summary>The version the user saw; a save against a newer version is refused.</summary>
    public int Version { get; set; }

    public LicenseChange ToChange() => new(
        Enum.Parse<LicenseStatus>(Status!),
        SiteLicense ? null : Seats,
        DoesNotExpire ? null : ExpirationDate);
}

/// <summary>The shape of the input; the license rules themselves live in <see cref="LicenseRules"/>.</summary>
public sealed class ModifyLicenseInputValidator : AbstractValidator<ModifyLicenseInput>
{
    public ModifyLicenseInputValidator()
    {
        RuleFor(x => x.Status).NotEmpty().WithMessage("Choose a status.")
            .Must(s => s is null or "" || LicenseRules.ModifiableStatuses.Any(m => m.ToString() == s))
            .WithMessage($"Status can be {string.Join(", ", LicenseRules.ModifiableStatuses.SkipLast(1))} or {LicenseRules.ModifiableStatuses[^1]}.");
        RuleFor(x => x.Seats).NotNull().WithMessage($"Enter a number of seats from 1 to {LicenseRules.MaxSeats:N0}, or choose Site License.")
            .When(x => !x.SiteLicense);
        RuleFor(x => x.ExpirationDate).NotNull().WithMessage("Enter an expiration date, or choose Does not expire.")
            .When(x => !x.DoesNotExpire);
    }
}

/// <summary>
/// Modify License: the only way people change a license. Used by the page and the management API. A saved change drops
/// this node's cached check answer for the license; a refused or conflicting one leaves it alone.
/// </summary>
public sealed class ModifyLicense(LicenseManagerDbContext db, IValidator<ModifyLicenseInput> validator, LicenseCheck check)
{
    public const string ConcurrencyCode = "concurrency_conflict";
    public const string ConcurrencyMessage = "Someone else changed this license while you were editing it. The current values are shown below: review them and save again.";

    public const string NotFoundCode = "license_not_found";

    /// <summary>
    /// Saves the change, or says why not: the input's shape (<see cref="ModifyLicenseInputValidator"/>), then the license
    /// rules, then the version the user saw. Success carries the saved license and its warnings; a conflict carries the
    /// license as it is now.
    /// </summary>
    public async Task<CommandResult<License>> ExecuteAsync(long licenseKey, ModifyLicenseInput input, CancellationToken ct)
    {
        var license = await db.Licenses.Include(l => l.Package).FirstOrDefaultAsync(l => l.Id == licenseKey, ct);
        if (license is null) return CommandResult<License>.NotFound(NotFoundCode, $"There is no license {licenseKey}.");

        var shape = await validator.ValidateAsync(input, ct);
        if (!shape.IsValid) return CommandResult<License>.Invalid(CommandResult.From(shape));

        var change = input.ToChange();
        var errors = LicenseRules.ValidateModification(license, change);
        if (errors.Count > 0) return CommandResult<License>.Invalid(errors);

        if (input.Version != license.Version) return CommandResult<License>.Conflict(ConcurrencyCode, ConcurrencyMessage, license);

        var warnings = LicenseRules.Apply(license, change);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Licenses.AsNoTracking().FirstAsync(l => l.Id == licenseKey, ct);
            return CommandResult<License>.Conflict(ConcurrencyCode, ConcurrencyMessage, current);
        }
        check.Invalidate(license.Package.PackageId, license.SubscriberOrgId);
        return CommandResult<License>.Success(license, warnings);
    }

    public static ModifyLicenseInput InputFor(License license) => new()
    {
        Status = license.Status == LicenseStatus.Uninstalled ? null : license.Status.ToString(),
        SiteLicense = license.Seats is null,
        Seats = license.Seats,
        DoesNotExpire = license.ExpirationDate is null,
        ExpirationDate = license.ExpirationDate,
        Version = license.Version,
    };

    public static string Describe(License license) => string.Create(CultureInfo.InvariantCulture,
        $"Status {license.Status}, seats {(license.Seats?.ToString("N0", CultureInfo.InvariantCulture) ?? "Site License")}, expiration {(license.ExpirationDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "Does not expire")}");
}
