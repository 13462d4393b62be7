using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.SavedViews;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>A list request read against its definition: the filtered rows, the sort and (for a page) the cursor.</summary>
public sealed record ListQuery<TEntity>(IQueryable<TEntity> Rows, SortColumn<TEntity> Column, bool Descending, string? After) where TEntity : AuditedEntity
{
    public Task<Page<TEntity>> PageAsync(int size, CancellationToken ct) => Keyset.PageAsync(Rows, Column, Descending, After, size, ct);

    /// <summary>Every row, a keyset page at a time (the export's walk: memory stays flat).</summary>
    public IAsyncEnumerable<TEntity> AllRows(CancellationToken ct) =>
        CsvExport.AllPages(cursor => Keyset.PageAsync(Rows, Column, Descending, cursor, ExportPageSize, ct));

    public const int ExportPageSize = 1000;
}

/// <summary>
/// The one query path of every list: the page, its CSV export and the management API's list read the same filters,
/// sort and cursor from the query string through the list's <see cref="ListDefinition{TEntity}"/>, and page with the
/// same keyset. Filters that don't parse are shown beside their fields on the page (400, the others applied), refuse
/// the export (400 text) and answer the API with 400 <c>invalid_filter</c>.
/// </summary>
public static class ListPipeline
{
    /// <summary>Sort, cursor (pages and the API; an export walks from the start) and filters, each error under its own name.</summary>
    public static ListQuery<TEntity> Read<TEntity>(ListDefinition<TEntity> list, ListRequest request, IQueryable<TEntity> source,
        LicenseManagerDbContext db, bool paged) where TEntity : AuditedEntity
    {
        var (column, descending) = request.Sort(list.SortColumns, list.DefaultSort, list.DefaultDescending);
        var after = paged ? request.After(column) : null;
        return new ListQuery<TEntity>(list.Filter(source, request, db), column, descending, after);
    }

    /// <summary>The list page: a page of rows, its URL state, the user's saved views and the names the rows show.</summary>
    public static async Task<IActionResult> PageAsync<TEntity>(Controller controller, ListDefinition<TEntity> list, LicenseManagerDbContext db,
        CancellationToken ct) where TEntity : AuditedEntity
    {
        var request = new ListRequest(controller.Request.Query);
        var query = Read(list, request, list.Source(db), db, paged: true);
        var page = await query.PageAsync(ListState.PageSize, ct);
        controller.ViewData["Title"] = list.Title;
        controller.ViewData["Section"] = list.Section;
        // Filters that didn't parse: shown beside their fields, the others applied.
        if (!request.IsValid) controller.Response.StatusCode = StatusCodes.Status400BadRequest;
        var names = await ListNames.LoadAsync(db, list.Lookups, ct);
        return controller.View(new ListPage<TEntity>(list.Name, list.Title, page.Rows,
            new ListState(list.Path, controller.Request.Query, query.Column.Name, query.Descending, page.NextCursor, query.After is null) { Errors = request.Errors },
            await SavedViewsController.ForAsync(db, controller.User, list.Name, ct))
        {
            Columns = list.PageColumns,
            PackageNames = names.Packages,
            UserNames = names.Users,
            PackageChoices = names.PackageChoices,
        });
    }

    /// <summary>The list's CSV: the page's filters and sort, every row, streamed; refused (400) when a filter doesn't parse.</summary>
    public static async Task ExportAsync<TEntity>(Controller controller, ListDefinition<TEntity> list, LicenseManagerDbContext db,
        CancellationToken ct) where TEntity : AuditedEntity
    {
        var request = new ListRequest(controller.Request.Query);
        var query = Read(list, request, list.Source(db), db, paged: false);
        if (!await ListExport.FiltersReadAsync(request, controller.Response, ct)) return;
        var names = await ListNames.LoadAsync(db, list.Lookups & ~ListLookups.PackageChoices, ct);
        await CsvExport.WriteAsync(controller.Response, list.CsvFileName, list.CsvHeaders, Rows(query.AllRows(ct)), ct);

        async IAsyncEnumerable<IReadOnlyList<string?>> Rows(IAsyncEnumerable<TEntity> rows)
        {
            await foreach (var row in rows) yield return list.CsvRow(row, names);
        }
    }
}
