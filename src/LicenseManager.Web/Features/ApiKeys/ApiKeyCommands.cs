using LicenseManager.Core.Data;
using LicenseManager.Web.Features.Tokens;
using Microsoft.EntityFrameworkCore;
using LicenseManager.Web.Infrastructure.Results;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>
/// Operators' verbs for automation: `api-keys create --name ci --scopes check,manage [--packages ID,ID]` (prints the key
/// once), `api-keys list`, `api-keys revoke --id N`, and `signing-keys rotate`. Listed in <see cref="Commands.All"/>.
/// </summary>
public static class ApiKeyCommands
{
    public static readonly IReadOnlyList<Command> All =
    [
        new("api-keys create", "Create an API key and print it (shown only this once).",
        [
            new("name", "NAME", "what the key is for, e.g. the app that uses it", Required: true),
            new("scopes", "check,manage", "what the key may do: license checks and seats (check), the management API (manage)", Required: true),
            new("packages", "PACKAGEID,PACKAGEID", "limit the key to these 18-character package ids; default: every package"),
        ], CreateAsync),
        new("api-keys list", "List the API keys: id, name, prefix, scopes, packages, state, last use.", [], ListAsync),
        new("api-keys revoke", "Revoke an API key: it stops working on every node within a minute.",
            [new("id", "ID", "the key's id, as api-keys list shows it", Required: true)], RevokeAsync),
        new("signing-keys rotate", "Start signing license tokens with a new key; the previous one stays in the JWKS until its tokens expire.", [], RotateAsync),
    ];

    /// <summary>Runs one of these commands from its arguments (`api-keys create --name ci --scopes check`), as the command line does.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errors, CancellationToken ct = default)
    {
        var request = Commands.Resolve(args);
        if (request.Command is not { } command || !All.Contains(command))
        {
            await errors.WriteLineAsync(request.Error ?? "Usage:\n" + string.Join("\n", All.Select(c => "  " + c.Usage)));
            return 1;
        }
        return await command.RunAsync(services, request.Line, output, errors, ct);
    }

    // The same preparation as a start of the app: database created and migrated, roles, first administrator.
    private static Task PrepareAsync(IServiceProvider services, CancellationToken ct) => Commands.StartDatabaseAsync(services, ct);

    private static async Task<int> CreateAsync(IServiceProvider services, CommandLine line, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        await PrepareAsync(services, ct);
        var scopes = Core.Domain.ApiKey.Split(line.Get("scopes"));
        var packages = Core.Domain.ApiKey.Split(line.Get("packages"));
        var result = await services.GetRequiredService<ApiKeyStore>().CreateAsync(line.Get("name"), scopes, packages, ct);
        if (!result.Succeeded)
        {
            foreach (var p in result.Violations) await errors.WriteLineAsync($"--{p.Field.ToLowerInvariant()}: {p.Message}");
            return 1;
        }
        var created = result.Value!;
        await errors.WriteLineAsync($"Created API key '{created.Key.Name}' (id {created.Key.Id}, scopes {created.Key.Scopes}{(created.Key.PackageIds is { } ids ? ", packages " + ids : "")}). It is shown only now:");
        await output.WriteLineAsync(created.Secret);
        return 0;
    }

    private static async Task<int> ListAsync(IServiceProvider services, CommandLine line, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        await PrepareAsync(services, ct);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        foreach (var k in await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(ct))
            await output.WriteLineAsync($"{k.Id}\t{k.Name}\t{k.Prefix}…\t{k.Scopes}\t{k.PackageIds ?? "all packages"}\t{(k.IsRevoked ? "revoked" : "active")}\tlast used {k.LastUsedAt?.ToString("u") ?? "never"}");
        return 0;
    }

    private static async Task<int> RevokeAsync(IServiceProvider services, CommandLine line, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        if (!long.TryParse(line.Get("id"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            await errors.WriteLineAsync("--id: give the id of the key to revoke (see api-keys list).");
            return 1;
        }
        await PrepareAsync(services, ct);
        if (await services.GetRequiredService<ApiKeyStore>().RevokeAsync(id, ct) is { Succeeded: false } refused)
        {
            await errors.WriteLineAsync(refused.Violations[0].Message);
            return 1;
        }
        await output.WriteLineAsync($"API key {id} revoked.");
        return 0;
    }

    private static async Task<int> RotateAsync(IServiceProvider services, CommandLine line, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        await PrepareAsync(services, ct);
        var kid = await services.GetRequiredService<SigningKeys>().RotateAsync(ct);
        await output.WriteLineAsync($"New license token signing key {kid}; the previous key stays in the JWKS until its tokens expire.");
        return 0;
    }
}
