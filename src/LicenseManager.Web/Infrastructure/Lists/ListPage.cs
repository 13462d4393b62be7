using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>What every list view renders: a page of rows, the list's URL state and the user's saved views of it.</summary>
public sealed record ListPage<T>(string List, string Title, IReadOnlyList<T> Rows, ListState State, IReadOnlyList<SavedView> SavedViews)
{
    /// <summary>The page's column headers, from the list's definition (<see cref="ListDefinition{TEntity}.PageColumns"/>).</summary>
    public IReadOnlyList<ListColumn> Columns { get; init; } = [];
    public IReadOnlyDictionary<long, string> PackageNames { get; init; } = new Dictionary<long, string>();
    public IReadOnlyDictionary<string, string> UserNames { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<(long Key, string Label)> Options { get; init; } = [];
    /// <summary>The package filter's choices: the Package ID people see, and the name.</summary>
    public IReadOnlyList<(string PackageId, string Name)> PackageChoices { get; init; } = [];
}
