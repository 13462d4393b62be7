using System.Globalization;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Lists;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Leads;

/// <summary>The leads list: the page and leads.csv.</summary>
public static class LeadList
{
    public static readonly ListDefinition<Lead> Definition = new()
    {
        Name = "leads",
        Title = "Leads",
        Section = "Leads",
        Source = db => db.Leads.AsNoTracking(),
        Filter = (leads, request, db) => Filter(leads, request, db.Licenses),
        DefaultSort = "created",
        DefaultDescending = true,
        Lookups = ListLookups.UserNames,
        Columns =
        [
            ListColumn<Lead>.Plain("firstName", "First Name", (l, _) => l.FirstName),
            // The page shows the full name under "Name" and sorts by last name; the CSV has the two apart.
            ListColumn<Lead>.Sorted("name", "Name", l => l.LastName, (l, _) => l.LastName, csvHeader: "Last Name"),
            ListColumn<Lead>.Sorted("company", "Company", l => l.Company, (l, _) => l.Company),
            ListColumn<Lead>.Sorted("email", "Email", l => l.Email, (l, _) => l.Email),
            ListColumn<Lead>.Plain("phone", "Phone", (l, _) => l.Phone),
            ListColumn<Lead>.Plain("state", "State", (l, _) => l.State),
            ListColumn<Lead>.Plain("country", "Country", (l, _) => l.Country),
            ListColumn<Lead>.Sorted("source", "Lead Source", l => l.LeadSource, (l, _) => l.LeadSource),
            ListColumn<Lead>.Sorted("owner", "Owner", l => l.OwnerId, (l, names) => l.OwnerId is null ? Actor.LmaName : names.User(l.OwnerId)),
            ListColumn<Lead>.Plain("converted", "Converted", (l, _) => Display.YesNo(l.IsConverted)),
            // Creation order is id order, which the keyset pages over anyway.
            ListColumn<Lead>.Sorted("created", "Created", l => l.Id, (l, _) => l.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        ],
        PageColumnNames = ["created", "name", "company", "email", "source", "owner", "converted"],
    };

    /// <summary>Leads created by installs; of one package's installs when given (through that package's licenses).</summary>
    public static IQueryable<Lead> FromInstalls(LicenseManagerDbContext db, long? packageKey)
    {
        var leads = db.Leads.AsNoTracking().Where(l => l.LeadSource == Lead.PackageInstallationSource);
        // IN over the package's licenses, not a correlated EXISTS: SQLite's planner takes the package index for such an
        // EXISTS and scans the package's licenses once per lead (minutes for a package with 170,000 installs).
        return packageKey is { } key ? leads.Where(l => db.Licenses.Where(x => x.PackageKey == key).Select(x => x.LeadKey).Contains((long?)l.Id)) : leads;
    }

    /// <summary>The leads list's filters; each that doesn't parse leaves its error in <paramref name="q"/> and is not applied.</summary>
    public static IQueryable<Lead> Filter(IQueryable<Lead> leads, ListRequest q, IQueryable<License> licenses)
    {
        if (q.PackageId("package") is { } package) leads = leads.Where(l => licenses.Any(x => x.LeadKey == l.Id && x.Package.PackageId == package));
        if (q.Date("createdAfter") is { } day)
        {
            var since = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            leads = leads.Where(l => l.CreatedAt >= since);
        }
        if (q.Text("source") is { } source) leads = leads.Where(l => l.LeadSource == source);
        if (q.Text("owner") is { } owner) leads = owner == "lma" ? leads.Where(l => l.OwnerId == null) : leads.Where(l => l.OwnerId == owner);
        if (q.Bool("converted") is { } converted) leads = leads.Where(l => l.IsConverted == converted);
        if (q.Text("q") is { } text)
            leads = text.Contains('@') ? leads.Where(l => l.Email == text) : leads.Where(l => l.LastName.StartsWith(text) || l.Company.StartsWith(text));
        return leads;
    }
}
