using System.Net;
using System.Text;
using System.Text.Json;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Installs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Installs;

/// <summary>The ingest endpoint refuses what it can't trust or read, with ProblemDetails and a stable code, and stores nothing.</summary>
public abstract class IngestApiTests(LmaApp app)
{
    private async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    private Task<int> StoredAsync() => app.WithDb(db => db.InstallEvents.CountAsync());

    [SkippableFact]
    public async Task Missing_bad_stale_or_unknown_signatures_are_refused_and_nothing_is_stored()
    {
        Requires.Available(app);
        var before = await StoredAsync();
        var install = Events.Install(Events.NewVersionId(), Events.NewOrgId());
        await AssertRefusedAsync(await app.PostEventAsync(install, secret: null), HttpStatusCode.Unauthorized, "signature_missing");
        await AssertRefusedAsync(await app.PostEventAsync(install, secret: "wrong-secret"), HttpStatusCode.Unauthorized, "signature_mismatch");
        await AssertRefusedAsync(await app.PostEventAsync(install, signedAt: app.Clock.GetUtcNow().AddMinutes(-6)), HttpStatusCode.Unauthorized, "signature_stale");
        Assert.Equal(before, await StoredAsync());
    }

    [SkippableFact]
    public async Task The_previous_secret_is_accepted_during_rotation()
    {
        Requires.Available(app);
        var response = await app.PostEventAsync(Events.Install(Events.NewVersionId(), Events.NewOrgId()), secret: LmaApp.PreviousIngestSecret);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "not json at all", "malformed_json" },
        { "[1,2,3]", "malformed_json" },
        { "{\"eventId\":\"x\",\"type\":\"install\",\"occurredAt\":\"yesterday\"}", "malformed_json" },
        { "{\"eventId\":\"x\",\"type\":\"install\",\"usedLicenses\":\"many\"}", "malformed_json" },
        { "{}", "validation_failed" },
        { "{\"eventId\":\"e\",\"type\":\"explode\",\"occurredAt\":\"2026-11-27T10:00:00Z\"}", "validation_failed" },
        { "{\"eventId\":\"e\",\"type\":\"install\",\"occurredAt\":\"2026-11-27T10:00:00Z\",\"packageVersionId\":\"short\",\"org\":{\"id\":\"00D000000000001\",\"name\":\"A\",\"status\":\"Active\"},\"installer\":{\"lastName\":\"L\",\"email\":\"a@b.example\"}}", "validation_failed" },
        { "{\"eventId\":\"e\",\"type\":\"install\",\"occurredAt\":\"2026-11-27T10:00:00Z\",\"packageVersionId\":\"04t000000000000001\",\"org\":{\"id\":\"00D0000000000012345\",\"name\":\"A\",\"status\":\"Active\"},\"installer\":{\"lastName\":\"L\",\"email\":\"a@b.example\"}}", "validation_failed" },
        { "{\"eventId\":\"e\",\"type\":\"install\",\"occurredAt\":\"2026-11-27T10:00:00Z\",\"packageVersionId\":\"04t000000000000001\",\"org\":{\"id\":\"00D000000000001\",\"name\":\"A\",\"status\":\"Active\"}}", "validation_failed" },
        { "{\"eventId\":\"e\",\"type\":\"org-update\",\"occurredAt\":\"2026-11-27T10:00:00Z\",\"packageVersionId\":\"04t000000000000001\",\"org\":{\"id\":\"00D000000000001\"},\"usedLicenses\":-1}", "validation_failed" },
        { "{\"eventId\":\"e\",\"type\":\"package-version-uploaded\",\"occurredAt\":\"2026-11-27T10:00:00Z\",\"package\":{\"packageId\":\"033000000000000001\",\"name\":\"P\",\"developerName\":\"D\",\"developerOrgId\":\"00D000000000000001\"},\"packageVersion\":{\"versionId\":\"04t000000000000001\",\"name\":\"P 1\",\"version\":\"one\"}}", "validation_failed" },
    };

    [SkippableTheory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_or_incomplete_bodies_get_400_and_nothing_is_stored(string body, string code)
    {
        Requires.Available(app);
        var before = await StoredAsync();
        await AssertRefusedAsync(await app.PostEventAsync(body), HttpStatusCode.BadRequest, code);
        Assert.Equal(before, await StoredAsync());
    }

    [SkippableFact]
    public async Task Field_errors_name_the_json_fields()
    {
        Requires.Available(app);
        var response = await app.PostEventAsync(MalformedBodies.Select(d => (string)d[0]).ElementAt(6));
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("packageVersionId", out _), errors.ToString());
    }

    [SkippableFact]
    public async Task A_huge_body_is_refused_without_being_stored()
    {
        Requires.Available(app);
        var before = await StoredAsync();
        var huge = "{\"eventId\":\"" + new string('x', 200_000) + "\"}";
        await AssertRefusedAsync(await app.PostEventAsync(huge), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.Equal(before, await StoredAsync());
    }

    [SkippableFact]
    public async Task An_event_id_longer_than_255_characters_is_refused()
    {
        Requires.Available(app);
        var install = Events.Install(Events.NewVersionId(), Events.NewOrgId());
        install.EventId = new string('e', 256);
        await AssertRefusedAsync(await app.PostEventAsync(install), HttpStatusCode.BadRequest, "validation_failed");
    }

    [SkippableFact]
    public async Task Accepted_events_are_stored_before_they_are_answered_and_processed_only_afterwards()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var install = Events.Install(package.VersionId, org);

        // While nothing can be written to the install events table, the request must wait: a 202 means "committed".
        Task<HttpResponseMessage> post;
        await using (await HoldInstallEventWritesAsync())
        {
            post = app.PostEventAsync(install);
            var answered = await Task.WhenAny(post, Task.Delay(TimeSpan.FromSeconds(1))) == post;
            Assert.False(answered, $"The request was answered ({(answered ? (int)(await post).StatusCode : 0)}) while its event could not be stored yet.");
        }
        var response = await post;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // Stored as it came, and not applied by the request: the license appears only when the processor runs.
        var stored = await app.WithDb(db => db.InstallEvents.AsNoTracking().SingleAsync(e => e.EventId == install.EventId));
        Assert.Equal(LicenseManager.Core.Domain.InstallEventState.Pending, stored.State);
        Assert.Contains(org, stored.Payload);
        Assert.Null(await app.LicenseAsync(package.Key, org));

        await app.ProcessInstallEventsAsync();
        Assert.Equal(LicenseManager.Core.Domain.InstallEventState.Done,
            await app.WithDb(db => db.InstallEvents.Where(e => e.EventId == install.EventId).Select(e => e.State).SingleAsync()));
        Assert.NotNull(await app.LicenseAsync(package.Key, org));
    }

    /// <summary>
    /// Another connection's open transaction that keeps writers out of the install events table until disposed:
    /// on SQLite the database's one write lock (BEGIN IMMEDIATE), on PostgreSQL an EXCLUSIVE lock on the table
    /// (reads go on, inserts wait).
    /// </summary>
    private async Task<IAsyncDisposable> HoldInstallEventWritesAsync()
    {
        var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var transaction = await db.Database.BeginTransactionAsync();
        if (app.Provider == DatabaseProvider.PostgreSql)
        {
            var table = db.Model.FindEntityType(typeof(InstallEvent))!;
            var lockTable = $"LOCK TABLE {(table.GetSchema() is { } schema ? $"\"{schema}\"." : "")}\"{table.GetTableName()}\" IN EXCLUSIVE MODE";
            await db.Database.ExecuteSqlRawAsync(lockTable);
        }
        // On SQLite BeginTransaction is BEGIN IMMEDIATE: this connection holds the database's write lock already.
        return new WriteHold(transaction, scope);
    }

    private sealed class WriteHold(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, AsyncServiceScope scope) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await scope.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Concurrent_posts_are_stored_once_each_even_when_an_event_id_repeats()
    {
        // The endpoint stores concurrent requests together (group commit): repeats of one event id, within a batch
        // and across batches, must still be stored once and answered 202 every time.
        Requires.Available(app);
        var versionId = Events.NewVersionId();
        var distinct = Enumerable.Range(0, 40).Select(_ => Events.Install(versionId, Events.NewOrgId())).ToList();
        var posts = distinct.Concat(distinct.Take(10)).Concat(distinct.Take(10)).ToList();
        var responses = await Task.WhenAll(posts.Select(e => app.PostEventAsync(e)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var ids = distinct.Select(e => e.EventId!).ToList();
        var stored = await app.WithDb(db => db.InstallEvents.Where(e => ids.Contains(e.EventId)).Select(e => e.EventId).ToListAsync());
        Assert.Equal(ids.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task A_batch_stores_each_event_id_once_says_which_were_new_and_finds_the_package_of_each()
    {
        // The log writes beside EF (one statement per batch on PostgreSQL, one prepared statement on SQLite): the
        // answer per event, the package lookup and the row as EF reads it back must be what EF used to write.
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var known = Events.Install(package.VersionId, Events.NewOrgId());
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventAsync(known)).StatusCode);
        var install = Events.Install(package.VersionId, Events.NewOrgId());
        var unknownVersion = Events.Install(Events.NewVersionId(), Events.NewOrgId());
        var (newPackageId, newVersionId) = (Events.NewPackageId(), Events.NewVersionId());
        var upload = Events.VersionUploaded(newPackageId, newVersionId);
        var upgrade = Events.VersionUploaded(package.PackageId, Events.NewVersionId(), "1.1.0");
        var batch = new[] { install, install, known, unknownVersion, upload, upgrade }
            .Select(e => new AcceptedInstallEvent(e, JsonSerializer.Serialize(e, InstallEventRequest.Json))).ToList();

        bool[] stored;
        await using (var scope = app.Scope())
            stored = await scope.ServiceProvider.GetRequiredService<InstallEventLog>().AppendAsync(batch, CancellationToken.None);

        Assert.Equal([true, false, false, true, true, true], stored);
        var rows = await app.WithDb(db => db.InstallEvents.AsNoTracking()
            .Where(e => e.EventId == install.EventId || e.EventId == unknownVersion.EventId || e.EventId == upload.EventId || e.EventId == upgrade.EventId)
            .ToDictionaryAsync(e => e.EventId));
        var row = rows[install.EventId!];
        Assert.Equal((InstallEventType.Install, InstallEventState.Pending, 0, package.Key), (row.Type, row.State, row.Attempts, row.PackageKey));
        Assert.Equal((package.VersionId, install.Org!.Id), (row.PackageVersionId, row.OrgId));
        Assert.Equal(install.OccurredAt!.Value.UtcDateTime, row.OccurredAt);
        Assert.Equal(DateTimeKind.Utc, row.ReceivedAt.Kind);
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime, row.ReceivedAt);
        Assert.Equal(install.EventId, JsonDocument.Parse(row.Payload).RootElement.GetProperty("eventId").GetString());
        Assert.Null(rows[unknownVersion.EventId!].PackageKey);
        Assert.Null(rows[upload.EventId!].PackageKey); // a package not uploaded before: the processor sets it
        Assert.Equal((newVersionId, (string?)null), (rows[upload.EventId!].PackageVersionId, rows[upload.EventId!].OrgId));
        Assert.Equal(package.Key, rows[upgrade.EventId!].PackageKey);
        // Stored in the batch's order: the processor takes events by id.
        var ids = batch.Where((_, i) => stored[i]).Select(e => rows[e.Request.EventId!].Id).ToList();
        Assert.Equal(ids.Order(), ids);
    }

    [SkippableFact]
    public async Task The_install_event_validator_is_built_once_not_for_every_request()
    {
        // Building FluentValidation's rules (expression trees, property names) cost more than checking them: on the
        // ingest endpoint's path that was about 140 microseconds of every request.
        Requires.Available(app);
        await using var first = app.Scope();
        await using var second = app.Scope();
        Assert.Same(first.ServiceProvider.GetRequiredService<FluentValidation.IValidator<InstallEventRequest>>(),
            second.ServiceProvider.GetRequiredService<FluentValidation.IValidator<InstallEventRequest>>());
    }
}

[Collection(SqliteCollection.Name)]
public sealed class IngestApiTests_Sqlite(SqliteApp app) : IngestApiTests(app);
[Collection(PostgresCollection.Name)]
public sealed class IngestApiTests_PostgreSql(PostgresApp app) : IngestApiTests(app);

[Collection(SqliteCollection.Name)]
public sealed class ApiErrorShapeTests(SqliteApp app)
{
    [Theory]
    [InlineData("text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    public async Task Framework_errors_on_the_api_are_problem_details_with_a_code(string contentType, HttpStatusCode status, string code)
    {
        var response = await app.CreateClient().PostAsync("/api/v1/install-events", new StringContent("{}", Encoding.UTF8, contentType));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_unknown_api_path_is_a_404_problem_for_a_valid_key_and_a_401_without_one()
    {
        var withKey = await app.ApiClient(await app.CreateKeyAsync("misses", "check")).GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, withKey.StatusCode);
        Assert.Equal("not_found", await withKey.ProblemCodeAsync());

        // Without a key the caller learns nothing about which routes exist.
        var withoutKey = await app.CreateClient().GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal("application/problem+json", withoutKey.Content.Headers.ContentType?.MediaType);
    }
}
