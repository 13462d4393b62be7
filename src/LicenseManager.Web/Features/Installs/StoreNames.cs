using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Quoted table and column names from the EF model, for the install path's statements written beside EF (the log's
/// append, the processor's set-based write): a rename in the model reaches them. The same on SQLite and PostgreSQL.
/// </summary>
internal static class StoreNames
{
    public static string Table(IModel model, Type entity) => Quote(model.FindEntityType(entity)!.GetTableName()!);

    public static string Column(IModel model, Type entity, string property) =>
        Quote(model.FindEntityType(entity)!.FindProperty(property)!.GetColumnName());

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
