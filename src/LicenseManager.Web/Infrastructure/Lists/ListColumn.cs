using System.Linq.Expressions;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>
/// One column of a list, defined once: its name (the <c>sort</c> value and the header's key), the page's header label,
/// the CSV's header and cell, the sort key and the management API's field. A column without a sort key is shown but
/// not sortable; one without a CSV cell is not exported; one not named in the list's page columns is CSV-only.
/// </summary>
public abstract class ListColumn(string name, string label)
{
    public string Name { get; } = name;
    /// <summary>The page's column header.</summary>
    public string Label { get; } = label;
    /// <summary>The CSV's column header (the page's label unless the CSV has always said otherwise).</summary>
    public string? CsvHeader { get; protected init; }
    /// <summary>The field of the management API's resource that carries this column, when the API lists this entity.</summary>
    public string? ApiField { get; protected init; }
    public abstract bool Sortable { get; }
}

/// <summary>A column of a list of <typeparamref name="TEntity"/>.</summary>
public sealed class ListColumn<TEntity> : ListColumn
{
    private ListColumn(string name, string label, SortColumn<TEntity>? sort, Func<TEntity, ListNames, string?>? csv, string? csvHeader, string? apiField)
        : base(name, label)
    {
        Sort = sort;
        Csv = csv;
        CsvHeader = csv is null ? null : csvHeader ?? label;
        ApiField = apiField;
    }

    public SortColumn<TEntity>? Sort { get; }
    /// <summary>The CSV cell of a row, given the names the list looked up.</summary>
    public Func<TEntity, ListNames, string?>? Csv { get; }
    public override bool Sortable => Sort is not null;

    /// <summary>A sortable column: <paramref name="key"/> is what the keyset pages over (Id breaks ties).</summary>
    public static ListColumn<TEntity> Sorted<TKey>(string name, string label, Expression<Func<TEntity, TKey>> key,
        Func<TEntity, ListNames, string?>? csv = null, string? csvHeader = null, string? api = null) =>
        new(name, label, SortColumn.For(name, label, key), csv, csvHeader, api);

    /// <summary>A column that isn't sortable: shown on the page, exported, or both.</summary>
    public static ListColumn<TEntity> Plain(string name, string label,
        Func<TEntity, ListNames, string?>? csv = null, string? csvHeader = null, string? api = null) =>
        new(name, label, null, csv, csvHeader, api);
}
