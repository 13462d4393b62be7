namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>A CSV export with filters that don't parse is refused, not exported unfiltered.</summary>
public static class ListExport
{
    /// <summary>False (and a 400 with the errors as text) when the request has filters that didn't parse.</summary>
    public static async Task<bool> FiltersReadAsync(ListRequest request, HttpResponse response, CancellationToken ct)
    {
        if (request.IsValid) return true;
        response.StatusCode = StatusCodes.Status400BadRequest;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync("These filters could not be read, so nothing was exported:\n" + string.Join("\n", request.Errors.Select(e => $"{e.Key}: {e.Value}")) + "\n", ct);
        return false;
    }
}
