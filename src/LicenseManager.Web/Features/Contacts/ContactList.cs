using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Contacts;

/// <summary>The contacts list: the page and contacts.csv.</summary>
public static class ContactList
{
    public static readonly ListDefinition<Contact> Definition = new()
    {
        Name = "contacts",
        Title = "Contacts",
        Section = "Contacts",
        Source = db => db.Contacts.AsNoTracking().Include(c => c.Account),
        Filter = (contacts, q, _) =>
        {
            if (q.Number("account") is { } account) contacts = contacts.Where(c => c.AccountKey == account);
            if (q.Text("q") is { } text) contacts = text.Contains('@') ? contacts.Where(c => c.Email == text) : contacts.Where(c => c.LastName.StartsWith(text));
            return contacts;
        },
        DefaultSort = "name",
        DefaultDescending = false,
        Columns =
        [
            ListColumn<Contact>.Plain("firstName", "First Name", (c, _) => c.FirstName),
            // The page shows the full name under "Name" and sorts by last name; the CSV has the two apart.
            ListColumn<Contact>.Sorted("name", "Name", c => c.LastName, (c, _) => c.LastName, csvHeader: "Last Name"),
            ListColumn<Contact>.Sorted("email", "Email", c => c.Email, (c, _) => c.Email),
            ListColumn<Contact>.Plain("phone", "Phone", (c, _) => c.Phone),
            ListColumn<Contact>.Plain("title", "Title", (c, _) => c.Title),
            ListColumn<Contact>.Sorted("account", "Account", c => c.AccountKey, (c, _) => c.Account.Name),
            ListColumn<Contact>.Sorted("created", "Created", c => c.Id),
        ],
        PageColumnNames = ["name", "email", "account", "created"],
    };
}
