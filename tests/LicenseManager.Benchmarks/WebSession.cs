using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace LicenseManager.Benchmarks;

/// <summary>A signed-in browser-like client: cookies kept, antiforgery tokens read from the page's forms.</summary>
public sealed partial class WebSession : IDisposable
{
    private readonly HttpClient _http;

    private WebSession(HttpClient http) => _http = http;

    public static async Task<WebSession> LoginAsync(Uri baseAddress, string email, string password)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        var session = new WebSession(new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) });
        var token = await session.TokenAsync("/sign-in");
        var response = await session._http.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString.Contains("login", StringComparison.OrdinalIgnoreCase) == true)
            throw new InvalidOperationException($"Login as {email} failed: {(int)response.StatusCode} {response.Headers.Location}");
        return session;
    }

    public async Task<string> GetPageAsync(string url)
    {
        using var response = await _http.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}.");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Times a page: the whole body read, as a browser would wait for it.</summary>
    public async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await _http.GetAsync(url);
        return response.StatusCode;
    }

    public async Task<double> TimePageAsync(string url)
    {
        var sw = Stopwatch.StartNew();
        await GetPageAsync(url);
        return sw.Elapsed.TotalMilliseconds;
    }

    public async Task<string> TokenAsync(string pageUrl) => TokenIn(await GetPageAsync(pageUrl))
        ?? throw new InvalidOperationException($"{pageUrl} has no antiforgery token.");

    public static string? TokenIn(string html) => TokenPattern().Match(html) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The href of the pager's next link, or null on the last page.</summary>
    public static string? NextPageIn(string html) => NextPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    public async Task<HttpStatusCode> PostFormAsync(string url, string token, IDictionary<string, string>? fields = null)
    {
        var form = new Dictionary<string, string>(fields ?? new Dictionary<string, string>()) { ["__RequestVerificationToken"] = token };
        using var response = await _http.PostAsync(url, new FormUrlEncodedContent(form));
        return response.StatusCode;
    }

    /// <summary>Streams a response body to nowhere, counting bytes and lines.</summary>
    public async Task<(HttpStatusCode Status, long Bytes, long Lines)> DownloadAsync(string url, Action? onChunk = null)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long bytes = 0, lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            onChunk?.Invoke();
        }
        return (response.StatusCode, bytes, lines);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("<a[^>]*href=\"([^\"]+)\"[^>]*data-testid=\"next-page\"")]
    private static partial Regex NextPattern();
}
