using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace LicenseManager.Benchmarks;

/// <summary>HTTP load from this machine to the app on loopback; every loop is bounded in count and in time.</summary>
public static class LoadDriver
{
    public static HttpClient Client(Uri baseAddress, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        AllowAutoRedirect = false,
        UseCookies = false,
    })
    { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public sealed record LoadResult(long Requests, long Errors, double Seconds, List<double> LatenciesMs)
    {
        public double PerSecond => Requests / Seconds;
    }

    /// <summary>Closed-loop load: <paramref name="workers"/> requests in flight for <paramref name="duration"/> (at most <paramref name="maxRequests"/>).</summary>
    public static async Task<LoadResult> RunAsync(HttpClient http, int workers, TimeSpan duration, Func<Random, HttpRequestMessage> request,
        long maxRequests = 50_000_000)
    {
        long count = 0, errors = 0;
        var latencies = new List<double>[workers];
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + 1);
            var mine = latencies[w] = new List<double>(100_000);
            while (sw.Elapsed < duration && Interlocked.Increment(ref count) <= maxRequests)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request(random), HttpCompletionOption.ResponseContentRead);
                    if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref errors);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(all.Count, errors, sw.Elapsed.TotalSeconds, all);
    }

    /// <summary>An install event POST signed as the platform signs it: HMAC-SHA256 of "&lt;t&gt;.&lt;body&gt;".</summary>
    public static HttpRequestMessage SignedEvent(string secret, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var message = Encoding.UTF8.GetBytes(t + ".").Concat(bytes).ToArray();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/install-events")
        {
            Content = new ByteArrayContent(bytes) { Headers = { { "Content-Type", "application/json" } } },
        };
        request.Headers.Add("X-Lma-Signature", $"t={t},v1={signature}");
        return request;
    }

    /// <summary>Posts events <c>0..count-1</c>; unpaced with <paramref name="senders"/> in flight, or paced at <paramref name="rate"/> events/s.</summary>
    public static async Task<(int Accepted, int Refused, double Seconds)> PostEventsAsync(HttpClient http, string secret, int count, int senders,
        Func<int, string> body, double? rate, TimeSpan timeout)
    {
        int next = -1, accepted = 0, refused = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && sw.Elapsed < timeout)
            {
                if (rate is { } r)
                {
                    var due = TimeSpan.FromSeconds(i / r) - sw.Elapsed;
                    if (due > TimeSpan.FromMilliseconds(1)) await Task.Delay(due);
                }
                try
                {
                    using var response = await http.SendAsync(SignedEvent(secret, body(i)));
                    if (response.StatusCode == HttpStatusCode.Accepted) Interlocked.Increment(ref accepted);
                    else Interlocked.Increment(ref refused);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })));
        return (accepted, refused, sw.Elapsed.TotalSeconds);
    }
}
