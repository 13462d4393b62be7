namespace LicenseManager.Core.Domain;

/// <summary>
/// A named lease in the database: at most one node holds it at a time, so work that must not run twice
/// concurrently (the install event processor) is shared safely by several web nodes.
/// </summary>
public class JobLease
{
    public string Name { get; set; } = "";
    public string Owner { get; set; } = "";
    public DateTime ExpiresAt { get; set; }
}
