using System.Text.Json;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Leads;
using LicenseManager.Web.Features.Packages;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Demo;

/// <summary>
/// Lma:SeedDemoData: a living demo org on an empty database. Everything goes through the real paths: platform
/// events are appended to the installation log and processed by the install processor, licenses are modified
/// through the license rules and leads converted through Convert Lead. Demo users have no password (an
/// administrator can set one on the Users page).
/// </summary>
public sealed class DemoDataSeeder(
    LicenseManagerDbContext db,
    UserManager<ApplicationUser> users,
    InstallEventLog log,
    InstallEventProcessor processor,
    PackageCommands packages,
    LeadConversion conversion,
    TimeProvider time,
    ILogger<DemoDataSeeder> logger)
{
    private static readonly string[] FirstNames = ["Ana", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kara", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara"];
    private static readonly string[] LastNames = ["Alvarez", "Brown", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski", "Lopez", "Müller", "Nakamura", "Olsen", "Patel", "Rossi", "Smith", "Tanaka", "Weber"];
    private static readonly string[] Companies = ["Acme", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises", "Hooli", "Vandelay", "Soylent", "Tyrell", "Wonka", "Cyberdyne", "Aperture", "Black Mesa", "Oscorp", "Pied Piper", "Massive Dynamic", "Gringotts", "Monarch", "Nakatomi"];
    private static readonly string[] Suffixes = ["Inc", "GmbH", "Ltd", "LLC", "SA", "BV", "AG", "Corp"];
    private static readonly string[] Editions = ["Enterprise Edition", "Unlimited Edition", "Professional Edition", "Developer Edition", "Performance Edition"];
    private static readonly string[] Instances = ["NA1", "NA44", "EU12", "EU45", "AP5", "CS22"];
    private static readonly (string State, string Country)[] Places = [("CA", "US"), ("NY", "US"), ("TX", "US"), ("BY", "DE"), ("IDF", "FR"), ("ON", "CA"), ("NSW", "AU"), ("", "GB"), ("", "JP"), ("", "NL")];

    public async Task SeedIfEmptyAsync(CancellationToken ct)
    {
        if (await db.Packages.AnyAsync(ct) || await db.InstallEvents.AnyAsync(ct)) return;
        logger.LogInformation("Loading the demo data set");
        var random = new Random(20261128);
        var now = time.GetUtcNow();

        var sales = await EnsureUserAsync("sam.sales@example.com", "Sam Sales", Roles.SalesRep);
        var manager = await EnsureUserAsync("lena.license@example.com", "Lena License", Roles.LicenseManager);
        await EnsureUserAsync("rita.retention@example.com", "Rita Retention", Roles.RetentionSpecialist);
        var inactive = await EnsureUserAsync("ivan.inactive@example.com", "Ivan Inactive", Roles.SalesRep);

        var catalogue = new (string Id, string Name, string[] Versions, LicenseDefaults? Defaults, ApplicationUser? LeadManager, int Installs)[]
        {
            ("033A00000000InvPRO", "Invoice Pro", ["1.0.0", "1.1.0", "1.2.0", "2.0.0"], new LicenseDefaults(LicenseStatus.Trial, null, 30), sales, 180),
            ("033A00000000FldSCH", "Field Scheduler", ["3.4.0", "3.5.0", "4.0.0"], new LicenseDefaults(LicenseStatus.Active, 25, 365), manager, 120),
            ("033A00000000DatINS", "Data Insights", ["0.9.0", "1.0.0"], null, null, 25),
            ("033A00000000ExpRPT", "Expense Reports", ["1.0.0"], new LicenseDefaults(LicenseStatus.Trial, 10, 90), inactive, 6),
        };

        var serial = 0;
        string Id(string prefix, int length) => (prefix + (++serial).ToString("D12")).PadRight(length, '0')[..length];
        async Task Send(InstallEventRequest r, DateTimeOffset at)
        {
            r.EventId = $"demo-{++serial:D6}";
            r.OccurredAt = at;
            await log.AppendAsync(r, JsonSerializer.Serialize(r, InstallEventRequest.Json), ct);
        }

        foreach (var (packageId, name, versions, defaults, leadManager, installs) in catalogue)
        {
            var versionIds = new List<string>();
            for (var i = 0; i < versions.Length; i++)
            {
                var versionId = Id("04t", 18);
                versionIds.Add(versionId);
                var released = now.AddDays(-400 + i * 400 / versions.Length);
                await Send(new InstallEventRequest
                {
                    Type = "package-version-uploaded",
                    Package = new() { PackageId = packageId, Name = name, DeveloperName = "Northwind Apps", DeveloperOrgId = "00D5e000000NwApps" + "0" },
                    PackageVersion = new() { VersionId = versionId, Name = $"{name} {versions[i]}", Version = versions[i], Beta = false, ReleaseDate = DateOnly.FromDateTime(released.UtcDateTime) },
                }, released);
            }
            await processor.ProcessPendingAsync(ct: ct);

            var package = await db.Packages.FirstAsync(p => p.PackageId == packageId, ct);
            if (leadManager is not null) await packages.ChangeLeadManagerAsync(package.Id, leadManager.Id, null, ct);
            if (leadManager == inactive && inactive.IsActive)
            {
                // Deactivated after being chosen: the troubleshooting page shows the held installs this causes.
                inactive.IsActive = false;
                await users.UpdateAsync(inactive);
                await users.UpdateSecurityStampAsync(inactive);
            }
            if (defaults is not null) await packages.SetAssociationAsync(package.Id, defaults, null, ct);

            for (var n = 0; n < installs; n++)
            {
                var orgId = Id("00D", 15);
                var company = $"{Companies[random.Next(Companies.Length)]} {Suffixes[random.Next(Suffixes.Length)]}";
                var place = Places[random.Next(Places.Length)];
                var installedAt = now.AddDays(-random.Next(1, 330)).AddMinutes(-random.Next(0, 1440));
                var versionIndex = random.Next(Math.Max(1, versions.Length - 2));
                var first = FirstNames[random.Next(FirstNames.Length)];
                var last = LastNames[random.Next(LastNames.Length)];
                var sandbox = random.NextDouble() < 0.12;
                var orgStatus = random.NextDouble() < 0.2 ? "Trial" : random.NextDouble() < 0.1 ? "Free" : "Active";
                var org = new InstallEventRequest.OrgPart
                {
                    Id = orgId, Name = company, Instance = Instances[random.Next(Instances.Length)], Edition = Editions[random.Next(Editions.Length)],
                    Status = orgStatus, ExpirationDate = orgStatus == "Trial" ? DateOnly.FromDateTime(installedAt.UtcDateTime.AddDays(30)) : null, Sandbox = sandbox,
                };
                await Send(new InstallEventRequest
                {
                    Type = "install", PackageVersionId = versionIds[versionIndex], Org = org,
                    Installer = new()
                    {
                        FirstName = first, LastName = last, Company = company,
                        Email = $"{first}.{last}@{company.Split(' ')[0]}.example".ToLowerInvariant().Replace("ü", "ue"),
                        Phone = $"+1 555 {random.Next(100, 999)} {random.Next(1000, 9999)}", State = place.State, Country = place.Country,
                    },
                }, installedAt);

                var roll = random.NextDouble();
                var later = installedAt.AddDays(random.Next(1, 20));
                if (later > now) later = now.AddMinutes(-5);
                if (roll < 0.3 && versionIndex < versions.Length - 1)
                    await Send(new InstallEventRequest { Type = "upgrade", PackageVersionId = versionIds[^1], Org = new() { Id = orgId } }, later);
                else if (roll < 0.42)
                    await Send(new InstallEventRequest { Type = "uninstall", PackageVersionId = versionIds[versionIndex], Org = new() { Id = orgId } }, later);
                if (roll >= 0.42 && random.NextDouble() < 0.7)
                    await Send(new InstallEventRequest { Type = "org-update", PackageVersionId = versionIds[versionIndex], Org = new() { Id = orgId, Status = orgStatus }, UsedLicenses = random.Next(1, 40) },
                        later.AddHours(1) < now ? later.AddHours(1) : now.AddMinutes(-1));
            }
            await processor.ProcessPendingAsync(ct: ct);
        }

        await ModifySomeLicensesAsync(random, ct);
        await ConvertSomeLeadsAsync(random, ct);
        logger.LogInformation("Demo data loaded: {Licenses} licenses, {Leads} leads", await db.Licenses.CountAsync(ct), await db.Leads.CountAsync(ct));
    }

    private async Task ModifySomeLicensesAsync(Random random, CancellationToken ct)
    {
        var licenses = await db.Licenses.Where(l => l.Status != LicenseStatus.Uninstalled).OrderBy(l => l.Id).ToListAsync(ct);
        foreach (var license in licenses)
        {
            var roll = random.NextDouble();
            LicenseChange? change = license.Status switch
            {
                LicenseStatus.Trial when roll < 0.35 => new(LicenseStatus.Active, random.Next(5, 60), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(random.Next(10, 400))),
                LicenseStatus.Trial or LicenseStatus.Active when roll > 0.93 => new(LicenseStatus.Suspended, license.Seats, license.ExpirationDate),
                _ => null,
            };
            if (change is not null && LicenseRules.ValidateModification(license, change).Count == 0) LicenseRules.Apply(license, change);
        }
        await db.SaveChangesAsync(ct);
    }

    private async Task ConvertSomeLeadsAsync(Random random, CancellationToken ct)
    {
        var leads = await db.Leads.OrderBy(l => l.Id).Select(l => new { l.Id, l.Company }).ToListAsync(ct);
        foreach (var lead in leads.Where(_ => random.NextDouble() < 0.25))
            await conversion.ConvertAsync(lead.Id, null, lead.Company, ct);
    }

    private async Task<ApplicationUser> EnsureUserAsync(string email, string name, string role)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, IsActive = true, CreatedAt = time.GetUtcNow().UtcDateTime };
            await users.CreateAsync(user);
            await users.AddToRoleAsync(user, role);
        }
        return user;
    }
}
