namespace LicenseManager.Web;

/// <summary>
/// The process arguments read once, the way the configuration system reads them: `--Key value`, `--Key=value`,
/// `/Key value` and `Key=value` are options (the configuration provider's forms), every other word is part of a verb
/// (`api-keys create`). Which options belong to the verb and which to configuration is decided by
/// <see cref="Commands.Resolve"/>, from each verb's declared options.
/// </summary>
public sealed class CommandLine
{
    /// <summary>An option as written: its name without the leading dashes, its value, and the arguments it took.</summary>
    public sealed record OptionToken(string Name, string? Value, IReadOnlyList<string> Arguments);

    public IReadOnlyList<string> Words { get; }
    public IReadOnlyList<OptionToken> Options { get; }
    /// <summary>`Key=value` arguments without dashes: configuration, always.</summary>
    public IReadOnlyList<string> BareSettings { get; }
    public bool AsksForHelp { get; }

    private CommandLine(List<string> words, List<OptionToken> options, List<string> bare, bool help) =>
        (Words, Options, BareSettings, AsksForHelp) = (words, options, bare, help);

    private static readonly string[] HelpSwitches = ["--help", "-h", "-?", "/?", "/help"];

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var (words, options, bare, help) = (new List<string>(), new List<OptionToken>(), new List<string>(), false);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (HelpSwitches.Contains(arg, StringComparer.OrdinalIgnoreCase))
            {
                help = true;
                continue;
            }
            var prefix = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('-') || arg.StartsWith('/') ? 1 : 0;
            if (prefix == 0)
            {
                if (arg.Contains('=')) bare.Add(arg);
                else words.Add(arg);
                continue;
            }
            var name = arg[prefix..];
            var eq = name.IndexOf('=');
            if (eq >= 0)
                options.Add(new OptionToken(name[..eq], name[(eq + 1)..], [arg]));
            else if (i + 1 < args.Count)
                // As the configuration provider does: `--Key value` takes the next argument, whatever it is.
                options.Add(new OptionToken(name, args[i + 1], [arg, args[++i]]));
            else
                options.Add(new OptionToken(name, null, [arg]));
        }
        return new CommandLine(words, options, bare, help);
    }

    /// <summary>The last value given for an option (`--file`, `file`: the dashes are optional), or null.</summary>
    public string? Get(string name)
    {
        name = name.TrimStart('-', '/');
        return Options.LastOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;
    }
}
