using System.Text;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Features.Transfer;

namespace LicenseManager.Web;

/// <summary>An option a command takes: `--name PLACEHOLDER`.</summary>
public sealed record CommandOption(string Name, string Placeholder, string Help, bool Required = false);

/// <summary>A verb operators run instead of the web server, e.g. `api-keys create`.</summary>
public sealed record Command(string Name, string Help, IReadOnlyList<CommandOption> Options, Func<IServiceProvider, CommandLine, TextWriter, TextWriter, CancellationToken, Task<int>> RunAsync)
{
    public string Usage => Name + string.Concat(Options.Select(o => o.Required ? $" --{o.Name} {o.Placeholder}" : $" [--{o.Name} {o.Placeholder}]"));
}

/// <summary>
/// Command-line verbs for operators: `dotnet LicenseManager.Web.dll [configuration] VERB [options] [configuration]`.
/// A verb anywhere among the arguments runs that command against the configured database (migrated first) and exits;
/// the web server and background jobs never start. Configuration (`--Section:Key=value`, `--Section:Key value`) may
/// come before or after the verb and goes to the configuration system; the verb's own options are read once, here.
/// </summary>
public static class Commands
{
    public static readonly IReadOnlyList<Command> All =
    [
        .. TransferCommands.All,
        .. ApiKeyCommands.All,
    ];

    /// <summary>Host settings without a section that may still be given with a command (`--urls`, `--environment`...).</summary>
    private static readonly HashSet<string> HostSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "applicationName", "webroot", "AllowedHosts", "http_ports", "https_ports",
        "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "preventHostingStartup", "detailedErrors",
        "shutdownTimeoutSeconds", "suppressStatusMessages", "captureStartupErrors", "ForwardedHeaders_Enabled",
    };

    /// <summary>What the arguments ask for: help, a command (with the arguments left to configuration), the web app, or an error.</summary>
    public sealed record Request(bool Help, Command? Command, CommandLine Line, IReadOnlyList<string> ConfigurationArgs, string? Error);

    public static Request Resolve(string[] args)
    {
        var line = CommandLine.Parse(args);
        var words = line.Words.ToList();
        var help = line.AsksForHelp || words.FirstOrDefault() == "help";
        if (help) return new Request(true, null, line, [], null);
        // No verb: the web app, with every argument for the configuration system as before.
        if (words.Count == 0) return new Request(false, null, line, args, null);

        var command = All.FirstOrDefault(c => c.Name.Split(' ').SequenceEqual(words));
        if (command is null)
        {
            var group = All.Where(c => c.Name.Split(' ')[0] == words[0]).ToList();
            var error = group.Count > 0 && words.Count == 1
                ? $"'{words[0]}' needs one of: {string.Join(", ", group.Select(c => c.Name.Split(' ')[1]))}.\n\nUsage:\n{Usage(group)}"
                : $"Unknown command '{string.Join(' ', words)}'. Commands:\n{Usage(All)}";
            return new Request(false, null, line, [], error);
        }

        var configuration = new List<string>(line.BareSettings);
        var unknown = new List<string>();
        foreach (var option in line.Options)
        {
            if (command.Options.Any(o => string.Equals(o.Name, option.Name, StringComparison.OrdinalIgnoreCase))) continue;
            if (option.Name.Contains(':') || option.Name.Contains("__") || HostSettings.Contains(option.Name)) configuration.AddRange(option.Arguments);
            else unknown.Add("--" + option.Name);
        }
        if (unknown.Count > 0)
            return new Request(false, null, line, [], $"{command.Name}: unknown option {string.Join(", ", unknown)}. Usage: {command.Usage}\n"
                + "(Configuration is given as --Section:Key=value, e.g. --Database:Provider=PostgreSql.)");
        var missing = command.Options.Where(o => o.Required && string.IsNullOrEmpty(line.Get(o.Name))).ToList();
        if (missing.Count > 0)
            return new Request(false, null, line, [], $"{command.Name}: {string.Join(", ", missing.Select(o => $"--{o.Name} {o.Placeholder}"))} is required. Usage: {command.Usage}");
        return new Request(false, command, line, configuration, null);
    }

    public static string Help()
    {
        var text = new StringBuilder();
        text.AppendLine("LicenseManager. Without a command it starts the web app; with one it runs the command and exits.");
        text.AppendLine();
        text.AppendLine("Usage: dotnet LicenseManager.Web.dll [--Section:Key=value ...] [COMMAND [options]]");
        text.AppendLine();
        text.AppendLine("Commands:");
        foreach (var c in All)
        {
            text.AppendLine($"  {c.Usage}");
            text.AppendLine($"      {c.Help}");
            foreach (var o in c.Options) text.AppendLine($"      --{o.Name} {o.Placeholder}: {o.Help}{(o.Required ? "" : " (optional)")}");
        }
        text.AppendLine("  help, --help");
        text.AppendLine("      This text.");
        text.AppendLine();
        text.AppendLine("Configuration (before or after the command) is any setting of appsettings.json, e.g.");
        text.AppendLine("  --Database:Provider=PostgreSql --ConnectionStrings:Lma=\"Host=db;Username=lma;Password=...\"");
        return text.ToString();
    }

    private static string Usage(IEnumerable<Command> commands) => string.Join("\n", commands.Select(c => "  " + c.Usage));

    /// <summary>The value of a command's option in the process arguments (`--file PATH` or `--file=PATH`), or null.</summary>
    public static string? Option(string[] args, string name) => CommandLine.Parse(args).Get(name);

    /// <summary>Migrations, roles and the first administrator, as at a normal start, without the web server.</summary>
    internal static async Task StartDatabaseAsync(IServiceProvider services, CancellationToken ct)
    {
        foreach (var initializer in services.GetServices<IHostedService>().OfType<Infrastructure.DatabaseInitializer>())
            await initializer.InitializeAsync(seedDemoData: false, ct);
    }
}
