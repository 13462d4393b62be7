using System.Globalization;
using LicenseManager.Benchmarks.Scenarios;

namespace LicenseManager.Benchmarks;

public enum Provider { Sqlite, PostgreSql }

/// <summary>What to run and how big. Defaults are the issue's full sizes; <c>--quick</c> shrinks everything to seconds.</summary>
public sealed record BenchmarkOptions
{
    public Provider Provider { get; init; } = Provider.Sqlite;
    public bool Quick { get; init; }
    /// <summary>Licenses in the bulk-loaded data set (each with a lead and an install log row).</summary>
    public int Licenses { get; init; } = 1_000_000;
    /// <summary>Install events posted per burst run.</summary>
    public int Burst { get; init; } = 100_000;
    /// <summary>Licenses of the package whose CSV export is timed.</summary>
    public int ExportLicenses { get; init; } = 100_000;
    /// <summary>Runs per scenario; every figure is the median over them.</summary>
    public int Runs { get; init; } = 3;
    public int Senders { get; init; } = 64;
    /// <summary>Events/s offered for the accept-to-license latency, and for how long.</summary>
    public int PacedRate { get; init; } = 2_000;
    public TimeSpan PacedDuration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long each license-check load (and its trivial-endpoint limit) lasts.</summary>
    public TimeSpan LoadDuration { get; init; } = TimeSpan.FromSeconds(10);
    public int PageSamples { get; init; } = 50;
    /// <summary>Install events per run of the naive baseline (one Hangfire job per event): far fewer than the burst, it runs at tens of jobs a second.</summary>
    public int BaselineEvents { get; init; } = 5_000;
    /// <summary>Environment variables for the app's processes (<c>--app-env KEY=VALUE</c>), e.g. GC settings to compare.</summary>
    public IReadOnlyDictionary<string, string> AppEnvironment { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    /// <summary>
    /// An already loaded database to run on (<c>--reuse-db</c>): a SQLite file path, or a PostgreSQL database name on the
    /// <c>--pg</c> server. Created and loaded when it does not hold the data set yet, and kept afterwards.
    /// </summary>
    public string? ReuseDatabase { get; init; }
    /// <summary>How many "next page" links the deep-page view follows.</summary>
    public int DeepPageHops { get; init; } = 100;
    /// <summary>Longest wait for any one run (processing, refresh, export) before it is reported as failed.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public string? PostgresConnection { get; init; }
    public string? AppPath { get; init; }
    public string? ApiKey { get; init; }
    public string OutputPath { get; init; } = "benchmark-results.json";
    public int? Port { get; init; }
    /// <summary>Keep the run's work folder (database, app log) even when every check passed.</summary>
    public bool Keep { get; init; }
    /// <summary>Scenarios to run after the bulk load (short names, see <see cref="ScenarioNames"/>); all when empty.</summary>
    public IReadOnlySet<string> Scenarios { get; init; } = new HashSet<string>();

    /// <summary>The short names of <see cref="Scenarios.BenchmarkScenarios.All"/>, in the order a run executes them.</summary>
    public static IReadOnlyList<string> ScenarioNames => BenchmarkScenarios.Options;

    public bool Includes(string scenario) => Scenarios.Count == 0 || Scenarios.Contains(scenario);

    public static BenchmarkOptions QuickPreset(Provider provider) => new()
    {
        Provider = provider,
        Quick = true,
        Licenses = 10_000,
        Burst = 1_000,
        ExportLicenses = 2_000,
        Runs = 3,
        PacedDuration = TimeSpan.FromSeconds(1),
        LoadDuration = TimeSpan.FromSeconds(2),
        PageSamples = 10,
        BaselineEvents = 200,
        DeepPageHops = 10,
        RunTimeout = TimeSpan.FromMinutes(2),
    };

    public static string Usage => $"""
        Usage: dotnet run -c Release --project tests/LicenseManager.Benchmarks -- [options]
          --provider sqlite|postgresql   database to run the app on (default sqlite)
          --quick                        about 10,000 licenses, a few seconds per scenario
          --licenses N                   licenses in the data set (default 1,000,000)
          --burst N                      install events per burst run (default 100,000)
          --export N                     licenses in the exported package (default 100,000)
          --runs N                       runs per scenario, figures are medians (default 3)
          --senders N                    concurrent senders and load workers (default 64)
          --paced-rate N                 events/s offered for the latency run (default 2,000)
          --paced-seconds N / --load-seconds N
          --baseline N                   events per run of the one-Hangfire-job-per-event baseline (default 5,000)
          --app-env KEY=VALUE            environment variable for the app (repeatable), e.g. DOTNET_GCConserveMemory=5
          --reuse-db PATH|NAME           run on this SQLite file / PostgreSQL database, loading it only when it lacks the data set; kept
          --pg "Host=...;Username=...;Password=..."   PostgreSQL server (or env LMA_BENCH_POSTGRES)
          --api-key KEY                  API key for the license check (or env LMA_BENCH_API_KEY)
          --app PATH                     LicenseManager.Web.dll to run (default: the build next to this harness)
          --port N                       port on 127.0.0.1 (default: a free one)
          --out FILE                     JSON results (default benchmark-results.json)
          --keep                         keep the work folder (database, app.log) after a passing run
          --scenarios a,b                only these after the bulk load: {string.Join(", ", ScenarioNames)} (default all)
        """;

    /// <summary>Parses the command line; <c>--quick</c> sets the preset and later options override it.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var provider = Provider.Sqlite;
        for (var i = 0; i < args.Count - 1; i++)
            if (args[i] == "--provider") provider = ParseProvider(args[i + 1]);
        var o = args.Contains("--quick") ? QuickPreset(provider) : new BenchmarkOptions { Provider = provider };
        o = o with
        {
            PostgresConnection = Environment.GetEnvironmentVariable("LMA_BENCH_POSTGRES"),
            ApiKey = Environment.GetEnvironmentVariable("LMA_BENCH_API_KEY"),
        };

        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next().Replace(",", "").Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--provider" => o with { Provider = ParseProvider(Next()) },
                "--quick" => o,
                "--keep" => o with { Keep = true },
                "--licenses" => o with { Licenses = Int() },
                "--burst" => o with { Burst = Int() },
                "--export" => o with { ExportLicenses = Int() },
                "--runs" => o with { Runs = Int() },
                "--senders" => o with { Senders = Int() },
                "--paced-rate" => o with { PacedRate = Int() },
                "--baseline" => o with { BaselineEvents = Int() },
                "--app-env" => o with { AppEnvironment = WithVariable(o.AppEnvironment, Next()) },
                "--reuse-db" => o with { ReuseDatabase = Next() },
                "--paced-seconds" => o with { PacedDuration = TimeSpan.FromSeconds(Int()) },
                "--load-seconds" => o with { LoadDuration = TimeSpan.FromSeconds(Int()) },
                "--pg" => o with { PostgresConnection = Next() },
                "--api-key" => o with { ApiKey = Next() },
                "--app" => o with { AppPath = Next() },
                "--port" => o with { Port = Int() },
                "--out" => o with { OutputPath = Next() },
                "--scenarios" => o with { Scenarios = ParseScenarios(Next()) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return o.Validate();
    }

    public BenchmarkOptions Validate()
    {
        if (Licenses < 1_000) throw new ArgumentException("--licenses must be at least 1,000.");
        if (ExportLicenses < 1 || ExportLicenses > Licenses / 2) throw new ArgumentException("--export must be from 1 to half of --licenses.");
        if (Burst < 1 || Runs < 1 || Senders < 1 || PacedRate < 1 || BaselineEvents < 1)
            throw new ArgumentException("--burst, --runs, --senders, --paced-rate and --baseline must be positive.");
        if (ReuseDatabase is { } reuse && (string.IsNullOrWhiteSpace(reuse)
                                           || Provider == Provider.PostgreSql && !System.Text.RegularExpressions.Regex.IsMatch(reuse, "^[a-z_][a-z0-9_]{0,62}$")))
            throw new ArgumentException("--reuse-db needs a SQLite file path, or for PostgreSQL a database name of lower-case letters, digits and _.");
        if (Provider == Provider.PostgreSql && string.IsNullOrWhiteSpace(PostgresConnection))
            throw new ArgumentException("--provider postgresql needs a server: --pg \"Host=...;Username=...;Password=...\" or env LMA_BENCH_POSTGRES.");
        return this;
    }

    /// <summary>The app's environment with one more <c>KEY=VALUE</c> (a later value for the same key wins).</summary>
    private static SortedDictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> current, string assignment)
    {
        var at = assignment.IndexOf('=', StringComparison.Ordinal);
        if (at <= 0) throw new ArgumentException($"--app-env takes KEY=VALUE, not {assignment}.");
        return new SortedDictionary<string, string>(current.ToDictionary(), StringComparer.Ordinal) { [assignment[..at]] = assignment[(at + 1)..] };
    }

    /// <summary>The app environment as the report header prints it.</summary>
    public string AppEnvironmentText => AppEnvironment.Count == 0 ? "none (defaults)" : string.Join(" ", AppEnvironment.Select(kv => $"{kv.Key}={kv.Value}"));

    private static HashSet<string> ParseScenarios(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToHashSet();
        if (names.FirstOrDefault(n => !ScenarioNames.Contains(n)) is { } unknown)
            throw new ArgumentException($"--scenarios: unknown scenario {unknown}; choose from {string.Join(", ", ScenarioNames)}.");
        return names;
    }

    private static Provider ParseProvider(string value) => value.ToLowerInvariant() switch
    {
        "sqlite" => Provider.Sqlite,
        "postgresql" or "postgres" or "npgsql" => Provider.PostgreSql,
        _ => throw new ArgumentException($"--provider must be sqlite or postgresql, not {value}."),
    };
}
