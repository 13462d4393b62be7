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
        if (Features.Transfer.TransferCommands.Handles(verb))
            return await Features.Transfer.TransferCommands.RunAsync(app.Services, verb, args, Console.Out, Console.Error);
        Console.Error.WriteLine($"Unknown command '{verb}'. Commands: export --file PATH, import --file PATH, api-keys create|list|revoke, signing-keys rotate.");
        return 1;
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
