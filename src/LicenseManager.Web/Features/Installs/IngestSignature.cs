using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Verifies `X-Lma-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;.&lt;raw body&gt;"&gt;`
/// against the current or previous secret, in constant time, within the timestamp tolerance.
/// </summary>
public sealed class IngestSignature(IOptions<IngestOptions> options, TimeProvider time)
{
    public const string Header = "X-Lma-Signature";

    public enum Result { Valid, Missing, Malformed, Stale, Mismatch, NotConfigured }

    public Result Verify(string? header, ReadOnlySpan<byte> body)
    {
        var o = options.Value;
        if (string.IsNullOrEmpty(o.Secret)) return Result.NotConfigured;
        if (string.IsNullOrWhiteSpace(header)) return Result.Missing;

        string? t = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) return Result.Malformed;
            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t") t = value;
            else if (key == "v1")
            {
                try { signatures.Add(Convert.FromHexString(value)); }
                catch (FormatException) { return Result.Malformed; }
            }
        }
        if (t is null || signatures.Count == 0 || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return Result.Malformed;

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > o.Tolerance.TotalSeconds) return Result.Stale;

        foreach (var secret in new[] { o.Secret, o.PreviousSecret })
        {
            if (string.IsNullOrEmpty(secret)) continue;
            var expected = Compute(secret, t, body);
            foreach (var given in signatures)
                if (CryptographicOperations.FixedTimeEquals(expected, given)) return Result.Valid;
        }
        return Result.Mismatch;
    }

    public static byte[] Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
    }

    /// <summary>The header value a sender puts on a body; used by the CLI, the demo seeder and tests.</summary>
    public static string Sign(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(Compute(secret, t, body))}";
    }
}
