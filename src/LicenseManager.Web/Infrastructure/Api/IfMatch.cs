using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>The management API's optimistic concurrency: ETags are the row version ("v3"), If-Match is compared strongly.</summary>
public static class IfMatch
{
    /// <summary>What an If-Match header asks: nothing (absent), any current version (`*`), or these versions.</summary>
    public sealed record IfMatchPrecondition(bool Any, IReadOnlyList<int> Versions, ObjectResult? Problem);

    /// <summary>
    /// If-Match per RFC 9110 13.1.1: `*` or a list of entity tags, compared strongly, so a weak tag (W/"v3") never matches
    /// (412). Tags that aren't this API's ("v12") are a malformed request (400); no header at all is 428.
    /// </summary>
    public static IfMatchPrecondition Read(HttpRequest request)
    {
        if (request.Headers.IfMatch.Count == 0)
            return new(false, [], ApiProblem.Result(428, "if_match_required", "If-Match is required.",
                "Send the ETag of the license you read (GET /api/v1/licenses/{name}) in If-Match, so a change made meanwhile is not overwritten."));
        var tags = request.Headers.IfMatch.SelectMany(h => (h ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (tags.Count == 1 && tags[0] == "*") return new(true, [], null);
        var versions = new List<int>();
        var weak = false;
        foreach (var tag in tags)
        {
            var isWeak = tag.StartsWith("W/", StringComparison.Ordinal);
            var opaque = isWeak ? tag[2..] : tag;
            if (opaque.Length < 4 || opaque[0] != '"' || opaque[^1] != '"' || opaque[1] != 'v'
                || !int.TryParse(opaque[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                return new(false, [], ApiProblem.Result(400, "if_match_invalid", "If-Match is not an ETag of this API.",
                    "Send the ETag exactly as it was returned, e.g. If-Match: \"v3\", or * for any current version."));
            if (isWeak) weak = true; else versions.Add(v);
        }
        if (versions.Count == 0 && weak)
            return new(false, [], ApiProblem.Result(412, "if_match_weak", "A weak ETag never matches If-Match.",
                "If-Match uses the strong comparison (RFC 9110): send the ETag exactly as returned, without W/."));
        return new(false, versions, null);
    }

    public static string ETag(int version) => $"\"v{version.ToString(CultureInfo.InvariantCulture)}\"";
}
