namespace LicenseManager.Web.Infrastructure;

/// <summary>"Lma:Jobs": whether this node runs background work.</summary>
public sealed class LmaJobOptions
{
    /// <summary>Run the Hangfire server in this process. Off for nodes that only serve pages (and in most tests).</summary>
    public bool RunServer { get; set; } = true;
}
