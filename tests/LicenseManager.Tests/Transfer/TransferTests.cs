using System.Diagnostics;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Alerts;
using LicenseManager.Web.Features.Leads;
using LicenseManager.Web.Features.Transfer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace LicenseManager.Tests.Transfer;

/// <summary>
/// Instance A, built through the real workflows (installs through the ingest API, Modify License through the
/// management API, seats through the seat API, a lead conversion, an alert rule and template, saved views, an API key,
/// a signed token), and its export through the page. Shared by the tests of one provider; each imports into a fresh B.
/// </summary>
public abstract class TransferSource : IAsyncLifetime
{
    public const string Passphrase = "correct horse battery staple";
    public const string LeadManagerEmail = "lead.manager@transfer.test";
    public const string RepEmail = "sales.rep@transfer.test";

    public LmaApp A { get; private set; } = null!;
    public byte[] Export { get; private set; } = [];
    public LmaApp.TestPackage Package { get; private set; } = null!;
    public string CheckKey { get; private set; } = "";
    public string TokenFromA { get; private set; } = "";
    public string OrgOfToken { get; private set; } = "";

    public abstract LmaApp NewApp();

    public async Task InitializeAsync()
    {
        A = NewApp();
        await A.InitializeAsync();
        if (!A.Available) return;
        var leadManager = await A.CreateUserAsync(Roles.LicenseManager, LeadManagerEmail);
        var rep = await A.CreateUserAsync(Roles.SalesRep, RepEmail);
        Package = await A.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Trial, 10, 30), leadManagerId: leadManager.Id);
        var orgs = Enumerable.Range(0, 5).Select(_ => Events.NewOrgId()).ToArray();
        await A.SendAsync([.. orgs.Select((o, i) => Events.Install(Package.VersionId, o, company: $"Company {i}"))]);
        await A.SendAsync(Events.OrgUpdate(Package.VersionId, orgs[0], 3), Events.Uninstall(Package.VersionId, orgs[4]));

        // An alert rule on suspensions, with its own template, to the lead manager and the rep.
        long ruleKey;
        await using (var scope = A.Scope())
        {
            var template = await scope.ServiceProvider.GetRequiredService<EditEmailTemplate>()
                .SaveAsync(null, new EmailTemplateInput { Name = "Suspended", Subject = "Suspended: {{License.Name}}", Body = "Suspended {{License.Name}}." }, default);
            Assert.True(template.Succeeded);
            var rule = await scope.ServiceProvider.GetRequiredService<EditAlertRule>().SaveAsync(null, new AlertRuleInput
            {
                Name = "Tell us about suspensions", Trigger = nameof(AlertTrigger.LicenseSuspended), TemplateKey = template.Value!.Id,
                IsEnabled = true, UserIds = [leadManager.Id, rep.Id],
            }, default);
            Assert.True(rule.Succeeded, string.Join(" ", rule.Violations.Select(e => e.Message)));
            ruleKey = rule.Value!.Id;
        }

        // Modify License through the management API: Active with 25 seats, and a suspension (which the alert rule queues).
        var manage = A.ApiClient(await A.CreateKeyAsync("transfer-manage", "manage"));
        await ModifyAsync(manage, orgs[1], new { status = "Active", seats = 25, siteLicense = false, doesNotExpire = true });
        await ModifyAsync(manage, orgs[2], new { status = "Suspended", seats = 10, siteLicense = false, doesNotExpire = false, expirationDate = new DateOnly(2027, 6, 30) });
        Assert.True(await A.Services.GetRequiredService<StatusChangeAlerts>().QueuePendingAsync() > 0);
        // A second change stays pending in the status-change queue: it must fire on the other side.
        await ModifyAsync(manage, orgs[3], new { status = "Active", seats = (int?)null, siteLicense = true, doesNotExpire = true });
        _ = ruleKey;

        // Seats through the seat API, a signed token.
        CheckKey = await A.CreateKeyAsync("transfer-check", "check");
        var check = A.ApiClient(CheckKey);
        foreach (var user in new[] { "005000000000001", "005000000000002" })
            Assert.Equal(HttpStatusCode.Created, (await check.PutAsync($"/api/v1/licenses/{Package.PackageId}/{orgs[1]}/seats/{user}", null)).StatusCode);
        OrgOfToken = orgs[1];
        var token = await check.PostAsync($"/api/v1/licenses/{Package.PackageId}/{orgs[1]}/token", null);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        TokenFromA = (await token.JsonAsync()).GetProperty("token").GetString()!;

        // A lead converted to an account and contact.
        await using (var scope = A.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var leadKey = await db.Licenses.Where(l => l.SubscriberOrgId == orgs[0]).Select(l => l.LeadKey!.Value).SingleAsync();
            var converted = await scope.ServiceProvider.GetRequiredService<LeadConversion>().ConvertAsync(leadKey, null, "Company 0 Account", default);
            Assert.True(converted.Succeeded, string.Join(" ", converted.Violations.Select(e => e.Message)));
        }

        // Saved views of the same name by the lead manager and the administrator.
        using (var lm = await A.SignInAsync(LeadManagerEmail, LmaApp.UserPassword))
            Assert.Equal(HttpStatusCode.Redirect, (await lm.PostFormAsync("/saved-views", new() { ["list"] = "licenses", ["name"] = "Active", ["query"] = "?status=Active" }, "/licenses")).StatusCode);
        using var admin = await A.SignInAsAdminAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/saved-views", new() { ["list"] = "licenses", ["name"] = "Active", ["query"] = "?status=Active&sort=name" }, "/licenses")).StatusCode);

        Export = await ExportThroughPageAsync(admin);
    }

    public static async Task<byte[]> ExportThroughPageAsync(BrowserClient admin)
    {
        var export = await admin.PostFormAsync("/admin/transfer/export", new() { ["passphrase"] = Passphrase }, "/admin/transfer");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        return await export.Content.ReadAsByteArrayAsync();
    }

    private async Task ModifyAsync(HttpClient manage, string org, object change)
    {
        var name = await A.WithDb(db => db.Licenses.Where(l => l.SubscriberOrgId == org).Select(l => l.Id).SingleAsync());
        var etag = (await manage.GetAsync($"/api/v1/licenses/{name}")).Headers.ETag!.Tag;
        var saved = await manage.PostJsonAsync($"/api/v1/licenses/{name}/modify", change, etag);
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)A).DisposeAsync();
}

public sealed class SqliteTransferSource : TransferSource
{
    public override LmaApp NewApp() => new SqliteApp();
}

public sealed class PostgresTransferSource : TransferSource
{
    public override LmaApp NewApp() => new PostgresApp();
}

public sealed class SqliteTransferTests(SqliteTransferSource source) : TransferTests(source), IClassFixture<SqliteTransferSource>;

public sealed class PostgresTransferTests(PostgresTransferSource source) : TransferTests(source), IClassFixture<PostgresTransferSource>;

/// <summary>Move the LMA: the whole business moves, exactly; bad files and failed imports change nothing.</summary>
public abstract class TransferTests(TransferSource source)
{
    private LmaApp A => source.A;

    /// <summary>A fresh instance of the same provider with these users (besides its administrator).</summary>
    private async Task<LmaApp> FreshAsync(params (string Role, string Email)[] users)
    {
        var app = source.NewApp();
        await app.InitializeAsync();
        foreach (var (role, email) in users) await app.CreateUserAsync(role, email);
        return app;
    }

    private static readonly (string, string)[] SameUsers = [(Roles.LicenseManager, TransferSource.LeadManagerEmail), (Roles.SalesRep, TransferSource.RepEmail)];

    private static async Task DisposeAsync(LmaApp app) => await ((IAsyncLifetime)app).DisposeAsync();

    /// <summary>Posts the import form with the page's own antiforgery token.</summary>
    private static async Task<(HttpStatusCode Status, string Html)> ImportThroughPageAsync(BrowserClient admin, byte[] file, string? passphrase = TransferSource.Passphrase)
    {
        var page = await admin.GetPageAsync("/admin/transfer");
        var token = new HtmlParser().ParseDocument(page).QuerySelector("form[action='/admin/transfer/import'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new ByteArrayContent(file), "file", "lma.jsonl" } };
        if (passphrase is not null) form.Add(new StringContent(passphrase), "importPassphrase");
        var response = await admin.Http.PostAsync("/admin/transfer/import", form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string[] Lines(byte[] file) => Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [SkippableFact]
    public async Task Export_import_export_gives_the_same_records_and_tokens_still_verify()
    {
        Requires.Available(A);
        var b = await FreshAsync(SameUsers);
        try
        {
            using var admin = await b.SignInAsAdminAsync();
            var (status, html) = await ImportThroughPageAsync(admin, source.Export);
            Assert.True(status == HttpStatusCode.OK, html);
            var counts = new HtmlParser().ParseDocument(html).QuerySelector("[data-testid=import-counts]")!.TextContent;
            Assert.Contains("license: 5", counts);
            Assert.Contains("lead: 5", counts);
            Assert.Contains("account: 1", counts);
            Assert.Contains("seatAssignment: 2", counts);
            Assert.Contains("signingKey: 1", counts);

            var again = await TransferSource.ExportThroughPageAsync(admin);
            var (first, second) = (Lines(source.Export), Lines(again));
            Assert.Equal(first.Length, second.Length);
            // Header: the same but for the time, the source and the per-export salt of the signing keys' encryption.
            var (h1, h2) = (JsonNode.Parse(first[0])!.AsObject(), JsonNode.Parse(second[0])!.AsObject());
            foreach (var ignored in new[] { "exportedAt", "source", "signingKeyProtection" }) { h1.Remove(ignored); h2.Remove(ignored); }
            Assert.Equal(h1.ToJsonString(), h2.ToJsonString());
            var (p1, p2) = (Protection(first[0]), Protection(second[0]));
            for (var i = 1; i < first.Length - 1; i++)
            {
                if (first[i].StartsWith("{\"kind\":\"signingKey\"", StringComparison.Ordinal))
                    Assert.Equal(SigningKeyPlain(first[i], p1), SigningKeyPlain(second[i], p2));
                else
                    Assert.Equal(first[i], second[i]);
            }
            Assert.Equal(JsonNode.Parse(first[^1])!["counts"]!.ToJsonString(), JsonNode.Parse(second[^1])!["counts"]!.ToJsonString());

            // A token A signed verifies against B's JWKS, and B signs with the same current key, with A's API key.
            var jwks = await (await b.CreateClient().GetAsync("/.well-known/jwks.json")).Content.ReadAsStringAsync();
            Validate(source.TokenFromA, jwks, source.Package.PackageId, b.Clock);
            var fromB = await b.ApiClient(source.CheckKey).PostAsync($"/api/v1/licenses/{source.Package.PackageId}/{source.OrgOfToken}/token", null);
            Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
            var tokenB = (await fromB.JsonAsync()).GetProperty("token").GetString()!;
            Assert.Equal(new JwtSecurityToken(source.TokenFromA).Header.Kid, new JwtSecurityToken(tokenB).Header.Kid);
            Validate(tokenB, jwks, source.Package.PackageId, b.Clock);

            // Importing twice is refused: B is no longer fresh.
            var (twice, twiceHtml) = await ImportThroughPageAsync(admin, source.Export);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, twice);
            Assert.Contains("not fresh", twiceHtml);
        }
        finally { await DisposeAsync(b); }
    }

    [SkippableFact]
    public async Task Every_license_field_history_entry_lead_account_and_contact_comes_back_as_it_was_and_numbers_continue()
    {
        Requires.Available(A);
        var b = await FreshAsync(SameUsers);
        try
        {
            using (var admin = await b.SignInAsAdminAsync())
                Assert.Equal(HttpStatusCode.OK, (await ImportThroughPageAsync(admin, source.Export)).Status);

            static async Task<string> State(LmaApp app) => await app.WithDb(async db => JsonSerializer.Serialize(new
            {
                Licenses = await db.Licenses.AsNoTracking().OrderBy(l => l.Id).ToListAsync(),
                History = await db.LicenseFieldChanges.AsNoTracking().OrderBy(h => h.Id).ToListAsync(),
                Leads = await db.Leads.AsNoTracking().OrderBy(l => l.Id).Select(l => new
                {
                    l.Id, l.FirstName, l.LastName, l.Company, l.Email, l.Phone, l.State, l.Country, l.LeadSource, Owner = l.Owner!.Email,
                    l.IsConverted, l.ConvertedAt, l.ConvertedAccountKey, l.ConvertedContactKey, l.CreatedAt, l.CreatedBy, l.LastModifiedAt, l.LastModifiedBy,
                }).ToListAsync(),
                Accounts = await db.Accounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync(),
                Contacts = await db.Contacts.AsNoTracking().OrderBy(c => c.Id).ToListAsync(),
                Seats = await db.SeatAssignments.AsNoTracking().OrderBy(s => s.Id).ToListAsync(),
                Events = await db.InstallEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync(),
                Pending = await db.LicenseStatusChanges.AsNoTracking().OrderBy(s => s.Id).ToListAsync(),
                Emails = await db.EmailMessages.AsNoTracking().OrderBy(m => m.Id).Select(m => new { m.Id, m.RuleKey, m.LicenseKey, m.OccurrenceKey, m.Status }).ToListAsync(),
                Rules = await db.AlertRules.AsNoTracking().OrderBy(r => r.Id).Select(r => new { r.Id, r.Name, r.IsEnabled, Recipients = r.Recipients.Select(x => x.User!.Email).Order().ToList() }).ToListAsync(),
                Templates = await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Id).ToListAsync(),
            }));
            var (a, restored) = (await State(A), await State(b));
            Assert.Equal(a, restored);
            Assert.Contains("\"Status\":2", a); // the suspension really is in there (and so in B)
            Assert.Contains("Company 0 Account", a);

            // New rows continue after the highest imported key: the next license is max + 1, and so is its lead.
            var (maxLicense, maxLead) = await A.WithDb(async db => (await db.Licenses.MaxAsync(l => l.Id), await db.Leads.MaxAsync(l => l.Id)));
            var org = Events.NewOrgId();
            await b.SendAsync(Events.Install(source.Package.VersionId, org));
            var created = await b.LicenseAsync(source.Package.Key, org);
            Assert.NotNull(created);
            Assert.Equal(maxLicense + 1, created.Id);
            Assert.Equal(maxLead + 1, created.LeadKey);
        }
        finally { await DisposeAsync(b); }
    }

    [SkippableFact]
    public async Task Records_of_a_user_missing_on_the_new_side_go_to_the_importing_administrator_and_are_reported()
    {
        Requires.Available(A);
        var b = await FreshAsync((Roles.SalesRep, TransferSource.RepEmail));
        try
        {
            using var admin = await b.SignInAsAdminAsync();
            var (status, html) = await ImportThroughPageAsync(admin, source.Export);
            Assert.True(status == HttpStatusCode.OK, html);
            var doc = new HtmlParser().ParseDocument(html);
            Assert.Equal(TransferSource.LeadManagerEmail, doc.QuerySelector("[data-testid=missing-users]")!.TextContent);
            var notes = string.Join("\n", doc.QuerySelectorAll("[data-testid=import-note]").Select(n => n.TextContent));
            Assert.Contains($"{TransferSource.LeadManagerEmail} has no user here: 1 alert recipient(s), 5 lead(s), 1 package lead manager(s), 1 saved view(s) now belong to {LmaApp.AdminEmail}.", notes);

            await b.WithDb(async db =>
            {
                var adminId = await db.Users.Where(u => u.Email == LmaApp.AdminEmail).Select(u => u.Id).SingleAsync();
                Assert.All(await db.Leads.ToListAsync(), l => Assert.Equal(adminId, l.OwnerId));
                Assert.Equal(adminId, (await db.Packages.SingleAsync()).LeadManagerId);
                var views = await db.SavedViews.Where(v => v.OwnerId == adminId).Select(v => v.Name).OrderBy(n => n).ToListAsync();
                Assert.Equal(["Active", $"Active ({TransferSource.LeadManagerEmail})"], views);
                var recipients = await db.Set<AlertRuleRecipient>().Select(r => r.User!.Email).OrderBy(e => e).ToListAsync();
                Assert.Equal([LmaApp.AdminEmail, TransferSource.RepEmail], recipients);
            });
        }
        finally { await DisposeAsync(b); }
    }

    [SkippableFact]
    public async Task A_bad_or_truncated_file_is_refused_with_its_line_number_and_nothing_is_written()
    {
        Requires.Available(A);
        var b = await FreshAsync(SameUsers);
        try
        {
            using var admin = await b.SignInAsAdminAsync();
            var before = await Snapshot(b);
            var lines = Lines(source.Export);
            var licenseLine = Array.FindIndex(lines, l => l.StartsWith("{\"kind\":\"license\"", StringComparison.Ordinal)) + 1;
            var bytes = source.Export;
            var upToLicense = Encoding.UTF8.GetByteCount(string.Join("\n", lines.Take(licenseLine - 1)) + "\n");
            var cases = new (string Name, byte[] File, string? Passphrase, string Expected)[]
            {
                ("cut in the middle of a line", bytes[..(upToLicense + 40)], TransferSource.Passphrase, $"Line {licenseLine}: not a complete JSON record"),
                ("missing its trailer", Encoding.UTF8.GetBytes(string.Join("\n", lines[..^1]) + "\n"), TransferSource.Passphrase, $"Line {lines.Length - 1}: the file ends without its trailer"),
                ("a record edited", Encoding.UTF8.GetBytes(string.Join("\n", lines.Select((l, i) => i == licenseLine - 1 ? l.Replace("Company", "Kompany") : l)) + "\n"),
                    TransferSource.Passphrase, $"Line {lines.Length}: the checksum in the trailer doesn't match"),
                ("a record of the wrong shape", Encoding.UTF8.GetBytes(string.Join("\n", lines.Select((l, i) => i == licenseLine - 1 ? "{\"kind\":\"license\",\"record\":{\"id\":\"x\"}}" : l)) + "\n"),
                    TransferSource.Passphrase, $"Line {licenseLine}: the license record can't be read"),
                ("the wrong passphrase", bytes, "not the passphrase at all", "the passphrase is not the one this export was made with"),
                ("no passphrase", bytes, null, "Enter the passphrase"),
                ("not an export", "hello\n"u8.ToArray(), TransferSource.Passphrase, "Line 1: this is not a LicenseManager transfer file"),
            };
            foreach (var (name, file, passphrase, expected) in cases)
            {
                var (status, html) = await ImportThroughPageAsync(admin, file, passphrase);
                Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{name}: {(int)status}");
                var error = new HtmlParser().ParseDocument(html).QuerySelector("[data-testid=import-error]")!.TextContent;
                Assert.True(error.Contains(expected, StringComparison.Ordinal), $"{name}: {error}");
                Assert.Equal(before, await Snapshot(b));
            }
        }
        finally { await DisposeAsync(b); }
    }

    [SkippableFact]
    public async Task An_import_that_fails_halfway_leaves_the_fresh_instance_as_it_was()
    {
        Requires.Available(A);
        var b = await FreshAsync(SameUsers);
        try
        {
            // A well-formed file whose last license is a second license of the same org: the database refuses it at the
            // license page, after users, packages, accounts, contacts and leads were written in the same transaction.
            var lines = Lines(source.Export).ToList();
            var last = lines.FindLastIndex(l => l.StartsWith("{\"kind\":\"license\"", StringComparison.Ordinal));
            var duplicate = JsonNode.Parse(lines[last])!;
            duplicate["record"]!["id"] = duplicate["record"]!["id"]!.GetValue<long>() + 1000;
            lines.Insert(last + 1, duplicate.ToJsonString(TransferFormat.Json));
            var file = Resign(lines, TransferFormat.License, +1);

            var before = await Snapshot(b);
            using var admin = await b.SignInAsAdminAsync();
            var (status, html) = await ImportThroughPageAsync(admin, file);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            var error = new HtmlParser().ParseDocument(html).QuerySelector("[data-testid=import-error]")!.TextContent;
            Assert.Contains("the license records can't be written", error);
            Assert.Contains("rolled back", error);
            Assert.Equal(before, await Snapshot(b));
        }
        finally { await DisposeAsync(b); }
    }

    [SkippableFact]
    public async Task The_command_line_exports_and_imports_and_reports_counts()
    {
        Requires.Available(A);
        var folder = Path.Combine(Path.GetTempPath(), "lma-transfer-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var b = await FreshAsync(SameUsers);
        try
        {
            var passphraseFile = Path.Combine(folder, "passphrase.txt");
            await File.WriteAllTextAsync(passphraseFile, TransferSource.Passphrase + "\n");
            var exportFile = Path.Combine(folder, "lma.jsonl");
            var (code, stdout, stderr) = await RunCliAsync(A, null, "export", "--file", exportFile, "--passphrase-file", passphraseFile);
            Assert.True(code == 0, stderr);
            Assert.Contains("license: 5", stdout);
            Assert.Contains("installEvent: ", stdout);
            Assert.Equal(Lines(source.Export).Length, (await File.ReadAllLinesAsync(exportFile)).Length);

            var (refused, _, refusedErr) = await RunCliAsync(b, "wrong passphrase here", "import", "--file", exportFile);
            Assert.NotEqual(0, refused);
            Assert.Contains("the passphrase is not the one this export was made with", refusedErr);
            Assert.Equal(0, await b.WithDb(db => db.Packages.CountAsync()));

            var (imported, importOut, importErr) = await RunCliAsync(b, TransferSource.Passphrase, "import", "--file", exportFile);
            Assert.True(imported == 0, importErr);
            Assert.Contains("Imported: ", importOut);
            Assert.Contains("license: 5", importOut);
            Assert.Contains("lead: 5", importOut);
            Assert.Equal(5, await b.WithDb(db => db.Licenses.CountAsync()));
        }
        finally
        {
            await DisposeAsync(b);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The real app as a child process, on the given app's database, as an operator runs it.</summary>
    private static async Task<(int Code, string StdOut, string StdErr)> RunCliAsync(LmaApp app, string? passphraseEnvironment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LicenseManager.Web.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var setting in new[]
                 {
                     $"--Database:Provider={app.Provider}", $"--ConnectionStrings:Lma={app.DatabaseConnectionString}", "--Lma:Jobs:RunServer=false",
                     "--Lma:SeedDemoData=false", $"--Lma:Admin:Email={LmaApp.AdminEmail}", $"--Lma:Admin:Password={LmaApp.AdminPassword}",
                     $"--Lma:Ingest:Secret={LmaApp.IngestSecret}", "--Lma:PublicBaseUrl=http://lma.test",
                     "--Lma:DataDirectory=" + Path.Combine(Path.GetTempPath(), "lma-transfer-cli-data-" + Guid.NewGuid().ToString("N")),
                 })
            start.ArgumentList.Add(setting);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment.Remove(TransferCommands.PassphraseVariable);
        if (passphraseEnvironment is not null) start.Environment[TransferCommands.PassphraseVariable] = passphraseEnvironment;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(true); throw; }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Everything an import could write, counted: a refused or failed import leaves all of it as it was.</summary>
    private static Task<string> Snapshot(LmaApp app) => app.WithDb(async db => string.Join(",",
        await db.Packages.CountAsync(), await db.PackageVersions.CountAsync(), await db.Accounts.CountAsync(), await db.Contacts.CountAsync(),
        await db.Leads.CountAsync(), await db.Licenses.CountAsync(), await db.InstallEvents.CountAsync(), await db.ApiKeys.CountAsync(),
        await db.SavedViews.CountAsync(), await db.LicenseFieldChanges.CountAsync(),
        string.Join("|", await db.EmailTemplates.OrderBy(t => t.Id).Select(t => t.Id + t.Name).ToListAsync()),
        string.Join("|", await db.AlertRules.OrderBy(r => r.Id).Select(r => r.Id + r.Name).ToListAsync()),
        string.Join("|", await db.SigningKeys.OrderBy(k => k.Id).Select(k => k.KeyId).ToListAsync())));

    /// <summary>A consistent trailer for an edited file (count and checksum), so only the database can refuse it.</summary>
    private static byte[] Resign(List<string> lines, string kind, int delta)
    {
        var trailer = JsonNode.Parse(lines[^1])!;
        trailer["counts"]![kind] = trailer["counts"]![kind]!.GetValue<long>() + delta;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines.Skip(1).Take(lines.Count - 2)) hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
        trailer["sha256"] = Convert.ToHexStringLower(hash.GetHashAndReset());
        lines[^1] = trailer.ToJsonString();
        return Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
    }

    private static TransferPassphrase Protection(string headerLine) =>
        TransferPassphrase.ForImport(TransferSource.Passphrase, JsonSerializer.Deserialize<TransferHeader>(headerLine, TransferFormat.Json)!.SigningKeyProtection)!;

    /// <summary>A signing-key line with its private key decrypted: what must be equal across two exports.</summary>
    private static string SigningKeyPlain(string line, TransferPassphrase protection)
    {
        var record = JsonSerializer.Deserialize<TransferLine<SigningKeyRecord>>(line, TransferFormat.Json)!.Record;
        var plain = protection.Decrypt(record.KeyId, record.EncryptedPrivateKey);
        Assert.NotNull(plain);
        return JsonSerializer.Serialize(record with { EncryptedPrivateKey = Convert.ToBase64String(plain) });
    }

    /// <summary>As the ISV's app validates a token, "now" being the apps' clock (the token's lifetime is on that clock).</summary>
    private static void Validate(string token, string jwks, string packageId, TimeProvider clock) =>
        new JwtSecurityTokenHandler { MapInboundClaims = false }.ValidateToken(token, new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            ValidIssuer = "http://lma.test",
            ValidAudience = packageId,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            LifetimeValidator = (notBefore, expires, _, _) => notBefore <= clock.GetUtcNow().UtcDateTime && clock.GetUtcNow().UtcDateTime < expires,
        }, out _);
}
