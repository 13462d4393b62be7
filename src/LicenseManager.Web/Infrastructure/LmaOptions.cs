using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Infrastructure;

/// <summary>The "Lma" configuration section. Validated at start-up; a bad value stops the app with one line.</summary>
public sealed class LmaOptions
{
    public const string Section = "Lma";

    /// <summary>Folder for the embedded SQLite database and outgoing .eml files. Relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "App_Data";

    /// <summary>Load the demo data set on first start (on in Development).</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>Base URL used in links in emails, e.g. https://lma.example.com.</summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    public LmaAdminOptions Admin { get; set; } = new();
    public LmaJobOptions Jobs { get; set; } = new();

    /// <summary>Data annotations don't reach nested sections: <c>Validate</c> checks them at start-up with this.</summary>
    public static bool NestedValuesAreValid(LmaOptions o) =>
        !string.IsNullOrWhiteSpace(o.Admin.Email) && new EmailAddressAttribute().IsValid(o.Admin.Email);

    public string ResolveDataDirectory(string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(DataDirectory) ? DataDirectory : Path.Combine(contentRoot, DataDirectory));
}
