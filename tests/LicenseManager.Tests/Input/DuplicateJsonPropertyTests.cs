using System.Net;
using System.Text;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Input;

/// <summary>A JSON body that names a property twice (exactly, or differing only in case) is refused: no "last one wins".</summary>
public abstract class DuplicateJsonPropertyTests(LmaApp app)
{
    [SkippableTheory]
    [InlineData("EVENTID")]
    [InlineData("eventId")]
    [InlineData("EventId")]
    public async Task Ingest_refuses_an_event_naming_a_property_twice_and_stores_nothing(string second)
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var (first, other) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var json = $$$"""
            {"eventId":"{{{first}}}","{{{second}}}":"{{{other}}}","type":"install","occurredAt":"{{{app.Clock.GetUtcNow().AddMinutes(-1):O}}}",
             "packageVersionId":"{{{package.VersionId}}}","org":{"id":"{{{org}}}","name":"Acme","status":"Active"},
             "installer":{"lastName":"Lovelace","email":"ada@acme.example"}}
            """;
        var response = await app.PostEventAsync(json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("duplicate_property", await response.ProblemCodeAsync());
        Assert.Contains(second, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await app.WithDb(db => db.InstallEvents.CountAsync(e => e.EventId == first || e.EventId == other)));
    }

    [SkippableFact]
    public async Task Ingest_refuses_a_nested_property_named_twice()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var (eventId, org) = (Guid.NewGuid().ToString(), Events.NewOrgId());
        var json = $$$"""
            {"eventId":"{{{eventId}}}","type":"org-update","occurredAt":"{{{app.Clock.GetUtcNow().AddMinutes(-1):O}}}",
             "packageVersionId":"{{{package.VersionId}}}","org":{"id":"{{{org}}}","ID":"{{{Events.NewOrgId()}}}","status":"Active"},"usedLicenses":3}
            """;
        var response = await app.PostEventAsync(json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("duplicate_property", await response.ProblemCodeAsync());
        Assert.Equal(0, await app.WithDb(db => db.InstallEvents.CountAsync(e => e.EventId == eventId)));
    }

    [SkippableFact]
    public async Task The_management_API_refuses_bodies_naming_a_property_twice_and_changes_nothing()
    {
        Requires.Available(app);
        var licensed = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        var api = app.ApiClient(await app.CreateKeyAsync());
        var read = await api.GetAsync($"/api/v1/licenses/{licensed.LicenseName}");
        var etag = read.Headers.ETag!.Tag;
        var package = licensed.Package.PackageId;

        var bodies = new List<(HttpMethod Method, string Url, string Json, string? IfMatch)>
        {
            (HttpMethod.Post, $"/api/v1/licenses/{licensed.LicenseName}/modify", """{"status":"Active","seats":5,"SEATS":7,"siteLicense":false,"doesNotExpire":true}""", etag),
            (HttpMethod.Post, $"/api/v1/licenses/{licensed.LicenseName}/modify", """{"status":"Active","status":"Suspended","seats":5,"siteLicense":false,"doesNotExpire":true}""", etag),
            (HttpMethod.Put, $"/api/v1/packages/{package}/association", """{"status":"Trial","Status":"Active","seats":3,"lengthDays":30}""", null),
            (HttpMethod.Put, $"/api/v1/packages/{package}/lead-manager", """{"userId":null,"userid":null}""", null),
        };
        foreach (var (method, url, json, ifMatch) in bodies)
        {
            var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            var response = await api.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {url} {json}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("duplicate_property", await response.ProblemCodeAsync());
        }
        var license = await app.WithDb(db => db.Licenses.AsNoTracking().SingleAsync(l => l.Id == licensed.LicenseName));
        Assert.Equal((LicenseStatus.Active, (int?)5), (license.Status, license.Seats));
        var defaults = await app.WithDb(db => db.Packages.AsNoTracking().SingleAsync(p => p.PackageId == package));
        Assert.Equal((LicenseStatus.Active, (int?)5, (int?)null), (defaults.DefaultStatus, defaults.DefaultSeats, defaults.DefaultLengthDays));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class DuplicateJsonPropertyTests_Sqlite(SqliteApp app) : DuplicateJsonPropertyTests(app);
[Collection(PostgresCollection.Name)]
public sealed class DuplicateJsonPropertyTests_PostgreSql(PostgresApp app) : DuplicateJsonPropertyTests(app);
