using System.Text;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>Streams a CSV file to the response a page of rows at a time: memory stays flat however many rows.</summary>
public static class CsvExport
{
    public static async Task WriteAsync(HttpResponse response, string fileName, IReadOnlyList<string> headers, IAsyncEnumerable<IReadOnlyList<string?>> rows, CancellationToken ct)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteLineAsync(Line(headers));
        var count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            await writer.WriteLineAsync(Line(row));
            if (++count % 1000 == 0) await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
    }

    private static string Line(IReadOnlyList<string?> values)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0) sb.Append(',');
            var v = values[i] ?? "";
            // Cells starting with = + - @ tab or CR are prefixed so spreadsheets don't run them as formulas.
            if (v.Length > 0 && v[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _)) v = "'" + v;
            if (v.IndexOfAny([',', '"', '\n', '\r']) >= 0) sb.Append('"').Append(v.Replace("\"", "\"\"")).Append('"');
            else sb.Append(v);
        }
        return sb.ToString();
    }

    /// <summary>Walks every page of a keyset query.</summary>
    public static async IAsyncEnumerable<T> AllPages<T>(Func<string?, Task<Page<T>>> page)
    {
        string? cursor = null;
        do
        {
            var current = await page(cursor);
            foreach (var row in current.Rows) yield return row;
            cursor = current.NextCursor;
        } while (cursor is not null);
    }
}
