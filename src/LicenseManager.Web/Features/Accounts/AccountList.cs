using System.Globalization;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Accounts;

/// <summary>The accounts list: the page and accounts.csv.</summary>
public static class AccountList
{
    public static readonly ListDefinition<Account> Definition = new()
    {
        Name = "accounts",
        Title = "Accounts",
        Section = "Accounts",
        Source = db => db.Accounts.AsNoTracking(),
        Filter = (accounts, q, _) => q.Text("q") is { } text ? accounts.Where(a => a.Name.StartsWith(text)) : accounts,
        DefaultSort = "name",
        DefaultDescending = false,
        Columns =
        [
            ListColumn<Account>.Sorted("name", "Account Name", a => a.Name, (a, _) => a.Name),
            ListColumn<Account>.Plain("phone", "Phone", (a, _) => a.Phone),
            ListColumn<Account>.Plain("website", "Website", (a, _) => a.Website),
            ListColumn<Account>.Plain("state", "State", (a, _) => a.State),
            ListColumn<Account>.Plain("country", "Country", (a, _) => a.Country),
            ListColumn<Account>.Sorted("created", "Created", a => a.Id, (a, _) => a.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        ],
        PageColumnNames = ["name", "created", "country"],
    };
}
