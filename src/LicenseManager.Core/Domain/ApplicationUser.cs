using Microsoft.AspNetCore.Identity;

namespace LicenseManager.Core.Domain;

public class ApplicationUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    /// <summary>A deactivated user cannot sign in, owns no new leads and receives no alerts.</summary>
    public bool IsActive { get; set; } = true;
    /// <summary>Set for generated first-start passwords: the user must choose a new one before doing anything else.</summary>
    public bool MustChangePassword { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The roles of the guide's permission table.</summary>
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string LicenseManager = "License Manager";
    public const string SalesRep = "Sales Rep";
    public const string RetentionSpecialist = "Retention Specialist";

    public static readonly IReadOnlyList<string> All = [Administrator, LicenseManager, SalesRep, RetentionSpecialist];

    /// <summary>Roles whose members can read licenses (and so may own leads as a lead manager).</summary>
    public static readonly IReadOnlyList<string> CanReadLicenses = All;

    public static readonly IReadOnlyList<string> CanEditLicenses = [Administrator, LicenseManager];

    public static readonly IReadOnlyList<string> CanConvertLeads = [Administrator, LicenseManager, SalesRep];
}
