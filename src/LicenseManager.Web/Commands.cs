namespace LicenseManager.Web;

/// <summary>Command-line verbs for operators: `dotnet run --project src/LicenseManager.Web -- VERB ...`.</summary>
public static class Commands
{
    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=');

    /// <summary>Runs a command when args name one; returns its exit code, or null to start the web app.</summary>
    public static async Task<int?> TryRunAsync(WebApplication app, string[] args)
    {
        if (!IsCommand(args)) return null;
        if (Features.ApiKeys.ApiKeyCommands.Handles(args[0]))
            return await Features.ApiKeys.ApiKeyCommands.RunAsync(app.Services, args, Console.Out, Console.Error);
        Console.Error.WriteLine($"Unknown command '{args[0]}'.");
        return 1;
    }
}
