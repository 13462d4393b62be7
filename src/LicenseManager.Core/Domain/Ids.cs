using System.Buffers;

namespace LicenseManager.Core.Domain;

/// <summary>
/// The id formats every input checks (ingest, the API, forms, filters, the command line), in one place.
/// Each check looks at the whole value, character by character, with ASCII classes only: no regex `$` that lets a
/// final newline through, no `\d` that takes Arabic-Indic or other non-ASCII digits.
/// </summary>
public static class Ids
{
    /// <summary>A subscriber org's id: 15 letters and digits.</summary>
    public const int OrgIdLength = 15;
    /// <summary>Package, package version and developer org ids: 18 letters and digits.</summary>
    public const int PlatformIdLength = 18;
    public const int SubscriberUserIdMaxLength = 64;
    /// <summary>ASP.NET Identity keys are GUID strings; the column holds up to 450 characters.</summary>
    public const int UserIdMaxLength = 450;
    public const int EmailMaxLength = 254;

    private static readonly SearchValues<char> LettersAndDigits = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    private static readonly SearchValues<char> SubscriberUserIdChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.@");
    private static readonly SearchValues<char> UserIdChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");

    public const string OrgIdRule = "the 15-character org ID (letters A-Z, a-z and digits 0-9)";
    public const string PackageIdRule = "the 18-character Package ID (letters A-Z, a-z and digits 0-9)";
    public const string VersionIdRule = "the 18-character Version ID (letters A-Z, a-z and digits 0-9)";

    public static bool IsOrgId(string? value) => IsPlatformId(value, OrgIdLength);
    public static bool IsPackageId(string? value) => IsPlatformId(value, PlatformIdLength);
    public static bool IsVersionId(string? value) => IsPlatformId(value, PlatformIdLength);
    public static bool IsDeveloperOrgId(string? value) => IsPlatformId(value, PlatformIdLength);

    /// <summary>Exactly <paramref name="length"/> ASCII letters and digits, nothing before or after.</summary>
    public static bool IsPlatformId(string? value, int length) =>
        value is not null && value.Length == length && !value.AsSpan().ContainsAnyExcept(LettersAndDigits);

    /// <summary>The ISV app's id for a subscriber user: 1 to 64 ASCII letters, digits, '-', '_', '.' or '@'.</summary>
    public static bool IsSubscriberUserId(string? value) =>
        value is { Length: > 0 and <= SubscriberUserIdMaxLength } && !value.AsSpan().ContainsAnyExcept(SubscriberUserIdChars);

    /// <summary>An LMA user's key (a GUID string): ASCII letters, digits and '-'.</summary>
    public static bool IsUserId(string? value) =>
        value is { Length: > 0 and <= UserIdMaxLength } && !value.AsSpan().ContainsAnyExcept(UserIdChars);

    /// <summary>
    /// An email address as a single token: one '@' with text on both sides, no whitespace, no control characters,
    /// nothing trailing (the framework's checks accept "a@b.example\n").
    /// </summary>
    public static bool IsEmail(string? value)
    {
        if (value is not { Length: > 2 and <= EmailMaxLength }) return false;
        var at = value.IndexOf('@');
        if (at <= 0 || at == value.Length - 1 || value.IndexOf('@', at + 1) >= 0) return false;
        foreach (var c in value)
            if (char.IsWhiteSpace(c) || char.IsControl(c)) return false;
        return true;
    }

    /// <summary>True when the text has a control character other than tab, CR and LF (which multi-line fields take).</summary>
    public static bool HasControlCharacter(string? value, bool allowLineBreaks = true)
    {
        if (value is null) return false;
        foreach (var c in value)
        {
            if (!char.IsControl(c)) continue;
            if (allowLineBreaks && c is '\t' or '\r' or '\n') continue;
            return true;
        }
        return false;
    }
}
