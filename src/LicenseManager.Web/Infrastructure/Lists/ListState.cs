using Microsoft.AspNetCore.Html;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>
/// A list view's state in its URL: filters, sort, direction and cursor. Builds the links of sortable headers,
/// the pager, the CSV export and saved views, so every list behaves the same.
/// </summary>
public sealed class ListState(string path, IQueryCollection query, string sort, bool descending, string? nextCursor, bool isFirstPage)
{
    public const int PageSize = 50;
    public string Path { get; } = path;
    public string Sort { get; } = sort;
    public bool Descending { get; } = descending;
    public string? NextCursor { get; } = nextCursor;
    public bool IsFirstPage { get; } = isFirstPage;

    public string? this[string key] => query.TryGetValue(key, out var v) ? v.ToString() : null;

    /// <summary>The filters that didn't parse (<see cref="ListRequest"/>), by parameter name.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();
    private readonly HashSet<string> _shown = [];

    /// <summary>The message of a filter that didn't parse, for beside its field (and " is-invalid" for the field's class).</summary>
    public IHtmlContent FieldError(string key)
    {
        if (!Errors.TryGetValue(key, out var message)) return HtmlString.Empty;
        _shown.Add(key);
        return new HtmlString($"<div class=\"invalid-feedback d-block\" data-testid=\"filter-error-{Encode(key)}\">{Encode(message)}</div>");
    }

    public string Invalid(string key) => Errors.ContainsKey(key) ? " is-invalid" : "";

    /// <summary>The messages of filters without a field on the page (sort, cursor, links' filters), rendered after the form.</summary>
    public IHtmlContent OtherErrors()
    {
        var rest = Errors.Where(e => !_shown.Contains(e.Key)).ToList();
        if (rest.Count == 0) return HtmlString.Empty;
        var items = string.Concat(rest.Select(e => $"<li data-testid=\"filter-error-{Encode(e.Key)}\">{Encode(e.Value)}</li>"));
        return new HtmlString($"<div class=\"alert alert-warning py-2\" role=\"alert\">These filters could not be read and are not applied:<ul class=\"mb-0\">{items}</ul></div>");
    }

    private static string Encode(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);

    /// <summary>The filters and sort, without the cursor: what a saved view stores.</summary>
    public string FilterQuery => Build(null, drop: ["after", "format"]);

    public bool HasFilters => query.Keys.Any(k => k is not ("after" or "sort" or "dir" or "format") && !string.IsNullOrEmpty(query[k]));

    public string SortUrl(string column) => Build(new()
    {
        ["sort"] = column,
        ["dir"] = column == Sort && !Descending ? "desc" : "asc",
    }, drop: ["after"]);

    public IHtmlContent SortIndicator(string column) =>
        column != Sort ? HtmlString.Empty : new HtmlString(Descending ? " <span aria-label=\"descending\">▼</span>" : " <span aria-label=\"ascending\">▲</span>");

    public string NextUrl => Build(new() { ["after"] = NextCursor }, drop: []);
    public string FirstUrl => Build(null, drop: ["after"]);
    public string CsvUrl => Path + "/export" + QueryString.Create(query.Where(kv => kv.Key is not ("after" or "format"))
        .Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.ToString())));

    private string Build(Dictionary<string, string?>? set, string[] drop)
    {
        var values = query.Where(kv => !drop.Contains(kv.Key) && (set is null || !set.ContainsKey(kv.Key)))
            .Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.ToString()))
            .Where(kv => !string.IsNullOrEmpty(kv.Value));
        if (set is not null) values = values.Concat(set.Where(kv => kv.Value is not null));
        return Path + QueryString.Create(values);
    }

    public static (string Sort, bool Descending) ReadSort(IQueryCollection query, IEnumerable<string> allowed, string defaultSort, bool defaultDescending)
    {
        var sort = query["sort"].ToString();
        if (!allowed.Contains(sort)) return (defaultSort, query.ContainsKey("dir") ? query["dir"] == "desc" : defaultDescending);
        return (sort, query["dir"] == "desc");
    }
}

/// <summary>Helpers for reading filter values from a query string without ever throwing on bad input.</summary>
public static class QueryValues
{
    public static string? Text(this IQueryCollection q, string key, int max = 100)
    {
        var v = q[key].ToString().Trim();
        return v.Length == 0 ? null : v.Length > max ? v[..max] : v;
    }

    public static long? Long(this IQueryCollection q, string key) => long.TryParse(q[key], out var v) ? v : null;
    public static int? Int(this IQueryCollection q, string key) => int.TryParse(q[key], out var v) ? v : null;
    public static bool? Bool(this IQueryCollection q, string key) => q[key].ToString() switch { "true" or "yes" or "1" => true, "false" or "no" or "0" => false, _ => null };
    public static DateOnly? Date(this IQueryCollection q, string key) => DateOnly.TryParse(q[key], System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;

    public static TEnum? Enum<TEnum>(this IQueryCollection q, string key) where TEnum : struct, System.Enum =>
        System.Enum.TryParse<TEnum>(q[key], true, out var v) && System.Enum.IsDefined(v) && !int.TryParse(q[key], out _) ? v : null;
}
