namespace LicenseManager.Core.Domain;

/// <summary>A user's own named list view: a list (licenses, leads, ...) and the filter and sort it was saved with.</summary>
public class SavedView
{
    public long Id { get; set; }
    public string OwnerId { get; set; } = "";
    public string List { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The list's query string (filters and sort), without paging.</summary>
    public string Query { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}
