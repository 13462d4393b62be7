using System.ComponentModel.DataAnnotations;

namespace LicenseManager.Web.Features.Installs;

/// <summary>The "Lma:Ingest" section: how the distribution pipeline's install events are authenticated and bounded. Validated at start-up.</summary>
public sealed class IngestOptions
{
    public const string Section = "Lma:Ingest";

    /// <summary>HMAC secret shared with the distribution pipeline. Without it the ingest endpoint refuses everything.</summary>
    public string? Secret { get; set; }

    /// <summary>Accepted too while the sender rotates to the new secret.</summary>
    public string? PreviousSecret { get; set; }

    /// <summary>How far a signature's timestamp may be from this server's clock, either way (replays older than this are refused).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest accepted body, in bytes (the request guard refuses anything over 1 MiB before this).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;
}
