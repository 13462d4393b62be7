using System.Globalization;
using System.Text.RegularExpressions;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>What a template is rendered against: a license with its package, lead, account and contact loaded.</summary>
public sealed record AlertContext(License License, AlertRule? Rule, string? PublicBaseUrl, DateOnly Today)
{
    public string LicenseUrl => $"{(string.IsNullOrWhiteSpace(PublicBaseUrl) ? "" : PublicBaseUrl.TrimEnd('/'))}/licenses/{License.Id}";
}

/// <summary>
/// The {{placeholders}} templates may use, and the one renderer. Names are case-insensitive; an unknown name is
/// refused when the template is saved, so a typo never reaches a customer-facing email.
/// </summary>
public static partial class Placeholders
{
    public sealed record Placeholder(string Name, string Description, Func<AlertContext, string?> Value);

    private static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
    private static string Number(int? n) => n?.ToString("N0", CultureInfo.InvariantCulture) ?? "";

    public static readonly IReadOnlyList<Placeholder> All =
    [
        new("license.name", "License Name (its number)", c => c.License.Id.ToString(CultureInfo.InvariantCulture)),
        new("license.status", "Trial, Active, Suspended or Uninstalled", c => c.License.Status.ToString()),
        new("license.expirationDate", "Expiration date, or \"Does not expire\"", c => Display.Expiration(c.License.ExpirationDate)),
        new("license.daysToExpiry", "Days from today to the expiration date", c => c.License.ExpirationDate is { } d ? (d.DayNumber - c.Today.DayNumber).ToString(CultureInfo.InvariantCulture) : ""),
        new("license.seats", "Licensed seats, or \"Site License\"", c => Display.Seats(c.License.Seats)),
        new("license.usedLicenses", "Used licenses as last reported", c => Display.UsedLicenses(c.License)),
        new("license.installDate", "Install date", c => Date(DateOnly.FromDateTime(c.License.InstallDate))),
        new("license.url", "Link to the license page", c => c.LicenseUrl),
        new("package.name", "Package name", c => c.License.Package?.Name),
        new("package.version", "Installed package version number", c => c.License.PackageVersionNumber),
        new("org.id", "Subscriber org ID", c => c.License.SubscriberOrgId),
        new("org.name", "Org name", c => c.License.OrgName),
        new("org.edition", "Org edition", c => c.License.OrgEdition),
        new("org.status", "Org status", c => c.License.OrgStatus.ToString()),
        new("org.instance", "Org instance", c => c.License.Instance),
        new("org.isSandbox", "Yes or No", c => Display.YesNo(c.License.IsSandbox)),
        new("account.name", "Account name", c => c.License.Account?.Name),
        new("account.phone", "Account phone", c => c.License.Account?.Phone),
        new("contact.name", "Contact full name", c => c.License.Contact?.FullName),
        new("contact.email", "Contact email", c => c.License.Contact?.Email),
        new("contact.phone", "Contact phone", c => c.License.Contact?.Phone),
        new("lead.name", "Lead full name (the installer)", c => c.License.Lead?.FullName),
        new("lead.email", "Lead email", c => c.License.Lead?.Email),
        new("lead.phone", "Lead phone", c => c.License.Lead?.Phone),
        new("lead.company", "Lead company", c => c.License.Lead?.Company),
        new("lead.owner", "Lead owner (the sales rep)", c => Display.Owner(c.License.Lead?.Owner)),
        new("rule.name", "The alert rule's name", c => c.Rule?.Name),
        new("rule.daysBefore", "The rule's days before expiration", c => c.Rule?.DaysBefore?.ToString(CultureInfo.InvariantCulture)),
    ];

    private static readonly Dictionary<string, Placeholder> ByName = All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex Token();

    /// <summary>Problems with a template text, each a sentence for the field it concerns. Empty when it can be saved.</summary>
    public static IReadOnlyList<string> Problems(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var problems = new List<string>();
        var unknown = Token().Matches(text).Select(m => m.Groups[1].Value).Where(n => !ByName.ContainsKey(n)).Distinct().ToList();
        if (unknown.Count > 0)
            problems.Add($"Unknown placeholder{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(n => "{{" + n + "}}"))}. " +
                         $"Use one of the placeholders listed below, e.g. {{{{license.expirationDate}}}} or {{{{org.name}}}}.");
        // Braces left over once the placeholders are removed: an unclosed or malformed one.
        var rest = Token().Replace(text, "");
        if (rest.Contains("{{") || rest.Contains("}}"))
            problems.Add("A placeholder is not closed: write placeholders as {{name}}.");
        return problems;
    }

    public static string Render(string text, AlertContext context) =>
        Token().Replace(text, m => ByName.TryGetValue(m.Groups[1].Value, out var p) ? p.Value(context) ?? "" : m.Value);
}
