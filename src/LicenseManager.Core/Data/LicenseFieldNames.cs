using System.Globalization;
using LicenseManager.Core.Domain;

namespace LicenseManager.Core.Data;

/// <summary>License fields in the guide's words, and their values as the guide shows them.</summary>
public static class LicenseFieldNames
{
    public static string Display(string property) => property switch
    {
        nameof(License.Status) => "License Status",
        nameof(License.Seats) => "Licensed Seats",
        nameof(License.ExpirationDate) => "Expiration Date",
        nameof(License.PackageVersionNumber) => "Package Version Number",
        nameof(License.InstallDate) => "Install Date",
        nameof(License.OrgStatus) => "Org Status",
        nameof(License.OrgEdition) => "Org Edition",
        nameof(License.OrgExpirationDate) => "Org Expiration Date",
        nameof(License.Instance) => "Instance",
        nameof(License.IsSandbox) => "Sandbox",
        nameof(License.ReportedUsedLicenses) => "Used Licenses",
        nameof(License.AccountKey) => "Account",
        nameof(License.ContactKey) => "Contact",
        nameof(License.LeadKey) => "Lead",
        _ => property,
    };

    public static string? Format(string property, object? value) => (property, value) switch
    {
        (nameof(License.Seats), null) => "Site License",
        (nameof(License.ExpirationDate), null) => "Does not expire",
        (_, null) => null,
        (nameof(License.AccountKey), long id) => $"Account #{id}",
        (nameof(License.ContactKey), long id) => $"Contact #{id}",
        (nameof(License.LeadKey), long id) => $"Lead #{id}",
        (_, DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        (_, DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        (_, bool b) => b ? "Yes" : "No",
        (_, IFormattable f) => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
