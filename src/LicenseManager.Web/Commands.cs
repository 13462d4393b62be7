using LicenseManager.Web.Features.Installs;

namespace LicenseManager.Web;

/// <summary>
/// Command-line verbs for operators: `dotnet run --project src/LicenseManager.Web -- VERB [options]`.
/// They run against the configured database (migrated first) and exit without starting the web server.
/// </summary>
public static class Commands
{
    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=');

    /// <summary>Runs a command when args name one; returns its exit code, or null to start the web app.</summary>
    public static async Task<int?> TryRunAsync(WebApplication app, string[] args)
    {
        if (!IsCommand(args)) return null;
        var verb = args[0];
        if (Features.ApiKeys.ApiKeyCommands.Handles(verb))
            return await Features.ApiKeys.ApiKeyCommands.RunAsync(app.Services, args, Console.Out, Console.Error);
        if (verb is not ("export" or "import"))
        {
            Console.Error.WriteLine($"Unknown command '{verb}'. Commands: export --file PATH, import --file PATH, api-keys create|list|revoke, signing-keys rotate.");
            return 1;
        }
        var file = Option(args, "--file");
        if (file is null)
        {
            Console.Error.WriteLine($"{verb}: --file PATH is required.");
            return 1;
        }

        await StartDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var transfer = scope.ServiceProvider.GetRequiredService<LmaTransfer>();
        if (verb == "export")
        {
            await using var output = File.Create(file);
            await transfer.ExportAsync(output, DateTime.UtcNow, CancellationToken.None);
            Console.WriteLine($"Exported to {Path.GetFullPath(file)}.");
            return 0;
        }
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"import: {file} does not exist.");
            return 1;
        }
        await using var input = File.OpenRead(file);
        var (result, error) = await transfer.ImportAsync(input, CancellationToken.None);
        if (error is not null)
        {
            Console.Error.WriteLine($"import: {error}");
            return 1;
        }
        foreach (var note in result!.Notes) Console.WriteLine(note);
        var processed = await scope.ServiceProvider.GetRequiredService<InstallEventProcessor>().ProcessPendingAsync();
        Console.WriteLine($"Imported {result.Packages} package(s) and {result.Events} install event(s); {processed} processed into leads and licenses.");
        return 0;
    }

    /// <summary>Migrations, roles and the first administrator, as at a normal start, without the web server.</summary>
    private static async Task StartDatabaseAsync(WebApplication app)
    {
        foreach (var initializer in app.Services.GetServices<IHostedService>().OfType<Infrastructure.DatabaseInitializer>())
            await initializer.InitializeAsync(seedDemoData: false, CancellationToken.None);
    }

    internal static string? Option(string[] args, string name)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length) return args[i + 1];
            if (args[i].StartsWith(name + "=", StringComparison.Ordinal)) return args[i][(name.Length + 1)..];
        }
        return null;
    }
}
