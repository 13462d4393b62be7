using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>
/// Everything one list is: its rows' source, its filters, its columns (page headers, CSV, sort keys, API fields) and its
/// default sort. One definition per entity drives the list page, its CSV export and the management API's list, so a
/// column or filter added here appears in all of them (<see cref="ListPipeline"/> runs it).
/// </summary>
public sealed class ListDefinition<TEntity> where TEntity : AuditedEntity
{
    /// <summary>The list's key: its URL (/<c>Name</c>), its saved views' list and its CSV file's name.</summary>
    public required string Name { get; init; }
    public required string Title { get; init; }
    /// <summary>The navigation section the page highlights.</summary>
    public required string Section { get; init; }
    /// <summary>The rows before filtering (no tracking; includes the rows' cells need).</summary>
    public required Func<LicenseManagerDbContext, IQueryable<TEntity>> Source { get; init; }
    /// <summary>The list's filters read strictly from the request: each that doesn't parse leaves its error in the request and is not applied.</summary>
    public required Func<IQueryable<TEntity>, ListRequest, LicenseManagerDbContext, IQueryable<TEntity>> Filter { get; init; }
    /// <summary>Every column, in CSV order.</summary>
    public required IReadOnlyList<ListColumn<TEntity>> Columns { get; init; }
    /// <summary>The columns the page shows, in the page's order, by name.</summary>
    public required IReadOnlyList<string> PageColumnNames { get; init; }
    public required string DefaultSort { get; init; }
    public required bool DefaultDescending { get; init; }
    /// <summary>What the rows' cells look up besides the rows (the page may want more, e.g. the package filter's choices).</summary>
    public ListLookups Lookups { get; init; }

    public string Path => "/" + Name;
    public string CsvFileName => Name + ".csv";

    /// <summary>The sortable columns, the page's first (in its order); <c>sort</c> takes their names.</summary>
    public IReadOnlyList<SortColumn<TEntity>> SortColumns => _sortColumns ??=
        [.. PageColumns.Concat(Columns.Except(PageColumns)).Where(c => c.Sort is not null).Select(c => c.Sort!)];
    private IReadOnlyList<SortColumn<TEntity>>? _sortColumns;

    public IReadOnlyList<ListColumn<TEntity>> PageColumns => _pageColumns ??=
        [.. PageColumnNames.Select(n => Columns.FirstOrDefault(c => c.Name == n) ?? throw new InvalidOperationException($"List {Name} shows column {n}, which it doesn't define."))];
    private IReadOnlyList<ListColumn<TEntity>>? _pageColumns;

    public IReadOnlyList<ListColumn<TEntity>> CsvColumns => _csvColumns ??= [.. Columns.Where(c => c.Csv is not null)];
    private IReadOnlyList<ListColumn<TEntity>>? _csvColumns;

    public IReadOnlyList<string> CsvHeaders => [.. CsvColumns.Select(c => c.CsvHeader!)];

    public IReadOnlyList<string?> CsvRow(TEntity row, ListNames names) => [.. CsvColumns.Select(c => c.Csv!(row, names))];
}
