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

    public AdminOptions Admin { get; set; } = new();
    public JobOptions Jobs { get; set; } = new();

    public sealed class AdminOptions
    {
        [EmailAddress]
        public string Email { get; set; } = "admin@licensemanager.local";
        public string? Password { get; set; }
    }

    public sealed class JobOptions
    {
        /// <summary>Run the Hangfire server in this process. Off for nodes that only serve pages (and in most tests).</summary>
        public bool RunServer { get; set; } = true;
    }

    public string ResolveDataDirectory(string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(DataDirectory) ? DataDirectory : Path.Combine(contentRoot, DataDirectory));
}
