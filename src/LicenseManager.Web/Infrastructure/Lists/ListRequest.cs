using System.Globalization;
using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>
/// A list's query string read strictly: each defined filter, the sort, the direction and the cursor either parse or
/// leave an error under their own name (never silently dropped). Empty values mean "any" (the filter forms send them);
/// parameters the list doesn't define (tracking tags and the like) are not looked at. The pages show the errors beside
/// the fields and apply the filters that did parse; the API answers 400 <c>invalid_filter</c> naming each one.
/// </summary>
public sealed class ListRequest(IQueryCollection query)
{
    public const string ErrorCode = "invalid_filter";
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public IQueryCollection Query { get; } = query;
    public IReadOnlyDictionary<string, string> Errors => _errors;
    public bool IsValid => _errors.Count == 0;

    /// <summary>The value, or null when absent or empty.</summary>
    private string? Raw(string key)
    {
        var value = Query[key].ToString();
        return value.Length == 0 ? null : value;
    }

    private T? Fail<T>(string key, string message)
    {
        _errors.TryAdd(key, message);
        return default;
    }

    /// <summary>Free text (a search): trimmed and cut at <paramref name="max"/>; control characters are an error.</summary>
    public string? Text(string key, int max = 100)
    {
        var value = Raw(key)?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (Ids.HasControlCharacter(value, allowLineBreaks: false)) return Fail<string>(key, $"'{key}' must not contain control characters or line breaks.");
        return value.Length > max ? value[..max] : value;
    }

    /// <summary>A record number (an account, contact or lead as its page address shows it).</summary>
    public long? Number(string key) => Raw(key) is not { } value ? null
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
        : Fail<long?>(key, $"'{key}' must be a record number (digits 0-9).");

    public int? Int(string key, int min, int max) => Raw(key) is not { } value ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v
        : Fail<int?>(key, $"'{key}' must be a whole number from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)} (digits 0-9).");

    public bool? Bool(string key) => Raw(key) switch
    {
        null => null,
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => Fail<bool?>(key, $"'{key}' must be true or false."),
    };

    /// <summary>A day as the date fields send it: yyyy-MM-dd.</summary>
    public DateOnly? Date(string key) => Raw(key) is not { } value ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var v) ? v
        : Fail<DateOnly?>(key, $"'{key}' must be a date written yyyy-MM-dd, e.g. 2026-12-31.");

    /// <summary>One of the enum's names (any case); numbers are refused.</summary>
    public TEnum? Enum<TEnum>(string key) where TEnum : struct, System.Enum => Raw(key) is not { } value ? null
        : value.All(char.IsAsciiLetter) && System.Enum.TryParse<TEnum>(value, true, out var v) ? v
        : Fail<TEnum?>(key, $"'{key}' must be one of: {string.Join(", ", System.Enum.GetNames<TEnum>())}.");

    public string? OneOf(string key, params string[] allowed) => Raw(key) is not { } value ? null
        : allowed.Contains(value, StringComparer.Ordinal) ? value
        : Fail<string>(key, $"'{key}' must be one of: {string.Join(", ", allowed)}.");

    /// <summary>A filter by an id people see (Package ID, Version ID), checked whole by its <see cref="Ids"/> rule.</summary>
    public string? Id(string key, Func<string?, bool> isId, string rule) => Raw(key) is not { } value ? null
        : isId(value) ? value
        : Fail<string>(key, $"'{key}' must be {rule}.");

    public string? PackageId(string key = "package") => Id(key, Ids.IsPackageId, Ids.PackageIdRule);
    public string? VersionId(string key = "version") => Id(key, Ids.IsVersionId, Ids.VersionIdRule);

    /// <summary>The sort column and direction; an unknown column or direction is an error and the default applies.</summary>
    public (SortColumn<T> Column, bool Descending) Sort<T>(IReadOnlyList<SortColumn<T>> columns, string defaultSort, bool defaultDescending)
    {
        var direction = OneOf("dir", "asc", "desc");
        var name = Raw("sort");
        var column = name is null ? null : columns.FirstOrDefault(c => c.Name == name);
        if (name is not null && column is null) Fail<object>("sort", $"'sort' must be one of: {string.Join(", ", columns.Select(c => c.Name))}.");
        return (column ?? columns.First(c => c.Name == defaultSort), direction is null ? defaultDescending : direction == "desc");
    }

    /// <summary>The page cursor when it fits the sort column; otherwise an error, and the list starts at its first page.</summary>
    public string? After<T>(SortColumn<T> column)
    {
        var value = Raw("after");
        if (value is null) return null;
        return Keyset.Fits(value, column) ? value : Fail<string>("after", "'after' is not a page cursor of this list and sort: start from the first page, and page with the cursor the list gave.");
    }

    /// <summary>The API's answer: 400 ProblemDetails naming each filter that didn't parse.</summary>
    public ObjectResult Problem() => ApiProblem.Result(400, ErrorCode, "Some filters could not be read.",
        $"Correct or leave out: {string.Join(", ", _errors.Keys)}.", _errors.ToDictionary(e => e.Key, e => new[] { e.Value }));
}
