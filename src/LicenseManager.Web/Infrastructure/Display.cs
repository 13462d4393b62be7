using System.Globalization;
using System.Text.Encodings.Web;
using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.Html;

namespace LicenseManager.Web.Infrastructure;

/// <summary>Values as the guide words them ("Site License", "Does not expire"), and dates for the reader's locale.</summary>
public static class Display
{
    public static string Seats(int? seats) => seats is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "Site License";

    public static string Expiration(DateOnly? date) => date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "Does not expire";

    public static string UsedLicenses(License license) => license.UsedLicensesShown?.ToString("N0", CultureInfo.InvariantCulture) ?? "";

    public static string Owner(ApplicationUser? user) => user is null ? Actor.LmaName : string.IsNullOrWhiteSpace(user.DisplayName) ? user.Email ?? user.Id : user.DisplayName;

    public static string YesNo(bool value) => value ? "Yes" : "No";

    /// <summary>A date rendered in the reader's locale by site.js (ISO in the markup, readable without script).</summary>
    public static IHtmlContent Date(DateOnly? date) => date is { } d
        ? new HtmlString($"<time datetime=\"{d:yyyy-MM-dd}\" data-local=\"date\">{d:yyyy-MM-dd}</time>")
        : HtmlString.Empty;

    public static IHtmlContent Date(DateTime? instant) => instant is { } t
        ? new HtmlString($"<time datetime=\"{t:yyyy-MM-dd}T00:00:00Z\" data-local=\"date\">{t:yyyy-MM-dd}</time>")
        : HtmlString.Empty;

    public static IHtmlContent DateTime(DateTime? instant) => instant is { } t
        ? new HtmlString($"<time datetime=\"{t.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}\" data-local=\"datetime\">{t.ToUniversalTime():yyyy-MM-dd HH:mm} UTC</time>")
        : HtmlString.Empty;

    public static IHtmlContent StatusBadge(LicenseStatus status) =>
        new HtmlString($"<span class=\"badge status-{status}\">{status}</span>");

    public static IHtmlContent ExpirationDate(DateOnly? date) => date is null ? new HtmlString("Does not expire") : Date(date);

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");
}
