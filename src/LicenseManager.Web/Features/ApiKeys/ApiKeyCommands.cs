using LicenseManager.Core.Data;
using LicenseManager.Web.Features.Api;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>
/// Operators' verbs for automation: `api-keys create --name ci --scopes check,manage [--packages ID,ID]` (prints the key
/// once), `api-keys list`, `api-keys revoke --id N`, and `signing-keys rotate`.
/// </summary>
public static class ApiKeyCommands
{
    public static bool Handles(string verb) => verb is "api-keys" or "signing-keys";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errors, CancellationToken ct = default)
    {
        // The same preparation as a start of the app: database created and migrated, roles, first administrator.
        await services.GetServices<IHostedService>().OfType<Infrastructure.DatabaseInitializer>().Single().InitializeAsync(seedDemoData: false, ct);

        var options = Options(args.Skip(2).ToArray());
        switch (args.ElementAtOrDefault(0), args.ElementAtOrDefault(1))
        {
            case ("api-keys", "create"):
            {
                var scopes = Core.Domain.ApiKey.Split(options.GetValueOrDefault("scopes"));
                var packages = Core.Domain.ApiKey.Split(options.GetValueOrDefault("packages"));
                var (problems, created) = await services.GetRequiredService<ApiKeyStore>().CreateAsync(options.GetValueOrDefault("name"), scopes, packages, ct);
                if (created is null)
                {
                    foreach (var p in problems) await errors.WriteLineAsync($"--{p.Field.ToLowerInvariant()}: {p.Message}");
                    return 1;
                }
                await errors.WriteLineAsync($"Created API key '{created.Key.Name}' (id {created.Key.Id}, scopes {created.Key.Scopes}{(created.Key.PackageIds is { } ids ? ", packages " + ids : "")}). It is shown only now:");
                await output.WriteLineAsync(created.Secret);
                return 0;
            }
            case ("api-keys", "list"):
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
                foreach (var k in await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(ct))
                    await output.WriteLineAsync($"{k.Id}\t{k.Name}\t{k.Prefix}…\t{k.Scopes}\t{k.PackageIds ?? "all packages"}\t{(k.IsRevoked ? "revoked" : "active")}\tlast used {k.LastUsedAt?.ToString("u") ?? "never"}");
                return 0;
            }
            case ("api-keys", "revoke"):
                if (!long.TryParse(options.GetValueOrDefault("id"), out var id))
                {
                    await errors.WriteLineAsync("--id: give the id of the key to revoke (see api-keys list).");
                    return 1;
                }
                if (!await services.GetRequiredService<ApiKeyStore>().RevokeAsync(id, ct))
                {
                    await errors.WriteLineAsync($"No API key has id {id}.");
                    return 1;
                }
                await output.WriteLineAsync($"API key {id} revoked.");
                return 0;
            case ("signing-keys", "rotate"):
                var kid = await services.GetRequiredService<SigningKeys>().RotateAsync(ct);
                await output.WriteLineAsync($"New license token signing key {kid}; the previous key stays in the JWKS until its tokens expire.");
                return 0;
            default:
                await errors.WriteLineAsync("""
                    Usage:
                      api-keys create --name NAME --scopes check,manage [--packages PACKAGEID,PACKAGEID]
                      api-keys list
                      api-keys revoke --id ID
                      signing-keys rotate
                    """);
                return 1;
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) continue;
            var name = args[i][2..];
            var eq = name.IndexOf('=');
            if (eq >= 0) result[name[..eq]] = name[(eq + 1)..];
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) result[name] = args[++i];
            else result[name] = "";
        }
        return result;
    }
}
