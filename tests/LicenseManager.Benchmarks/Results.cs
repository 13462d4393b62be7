using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LicenseManager.Benchmarks;

/// <summary>
/// One figure: the median over the runs, and where it is a throughput, the same-run limit it is divided by.
/// <see cref="Ratio"/> = value / limit: the share of what this machine managed, at that moment, on the cheaper path.
/// </summary>
public sealed record Metric(string Name, double Value, string Unit)
{
    public double? Limit { get; init; }
    public string? LimitName { get; init; }
    /// <summary>The limit's unit when it differs from the figure's (events/s against the trivial endpoint's req/s).</summary>
    public string? LimitUnit { get; init; }
    public string? Target { get; init; }
    public double? Ratio => Limit is > 0 ? Value / Limit : null;
    /// <summary>Print the ratio as a multiple ("3.2x") rather than a share: for times against a limit, and against the naive baseline.</summary>
    public bool RatioAsMultiple { get; init; }
    public string? RatioText => Ratio is not { } r ? null
        : RatioAsMultiple ? r.ToString("0.00", CultureInfo.InvariantCulture) + "x" : r.ToString("P0", CultureInfo.InvariantCulture);
    /// <summary>Each run's value, so the spread behind the median is visible.</summary>
    public IReadOnlyList<double>? Runs { get; init; }
}

/// <summary>A correctness check of a scenario (never a time): the smoke test asserts every one passed.</summary>
public sealed record Check(string Name, bool Passed, string? Detail = null);

public static class ScenarioStatus
{
    public const string Ok = "ok";
    public const string NotAvailable = "not available in this build";
    public const string Skipped = "skipped";
    public const string Failed = "failed";
}

public sealed class ScenarioResult(string name)
{
    public string Name { get; } = name;
    public string Status { get; set; } = ScenarioStatus.Ok;
    public string? Note { get; set; }
    public double Seconds { get; set; }
    public List<Metric> Metrics { get; } = [];
    public List<Check> Checks { get; } = [];

    public Metric Add(Metric metric)
    {
        Metrics.Add(metric);
        return metric;
    }

    public void Check(string name, bool passed, string? detail = null) => Checks.Add(new(name, passed, detail));
}

public sealed class BenchmarkReport
{
    public string Provider { get; init; } = "";
    public bool Quick { get; init; }
    public string Command { get; init; } = "";
    public DateTime StartedAt { get; init; }
    public double Seconds { get; set; }
    public string Machine { get; init; } = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";
    public double? LoadAverageAtStart { get; init; }
    public BenchmarkOptions Options { get; init; } = new();
    public List<ScenarioResult> Scenarios { get; } = [];
    public double WebPeakMemoryMb { get; set; }
    /// <summary>The app's environment from <c>--app-env</c>, as printed in the header.</summary>
    public string AppEnvironment { get; init; } = "";
    /// <summary>Set when the run used an already loaded database (<c>--reuse-db</c>): what it reused and what was there.</summary>
    public string? ReusedData { get; set; }

    public bool AllChecksPassed => Scenarios.All(s => s.Status != ScenarioStatus.Failed && s.Checks.All(c => c.Passed));

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static double? ReadLoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The printed table: one line per figure, with its limit, ratio and the issue's target.</summary>
    public string ToTable()
    {
        var rows = new List<string[]> { new[] { "scenario", "figure", "median", "same-run limit", "ratio", "target" } };
        foreach (var s in Scenarios)
        {
            if (s.Status != ScenarioStatus.Ok || s.Metrics.Count == 0)
            {
                rows.Add([s.Name, s.Status, s.Note ?? "", "", "", ""]);
                continue;
            }
            var first = true;
            foreach (var m in s.Metrics)
            {
                rows.Add([first ? s.Name : "", m.Name, Format(m.Value, m.Unit),
                    m.Limit is { } l ? $"{Format(l, m.LimitUnit ?? m.Unit)} ({m.LimitName})" : "", m.RatioText ?? "", m.Target ?? ""]);
                first = false;
            }
            foreach (var c in s.Checks.Where(c => !c.Passed)) rows.Add(["", "CHECK FAILED: " + c.Name, c.Detail ?? "", "", "", ""]);
        }
        rows.Add(["web process", "peak memory over the whole run", Format(WebPeakMemoryMb, "MB"), "", "", "(the <= 400 MB target is the burst's, above)"]);

        var widths = Enumerable.Range(0, 6).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"LicenseManager benchmarks: {Provider}{(Quick ? " (--quick)" : "")}, {Machine}, load average at start {LoadAverageAtStart?.ToString("0.00", CultureInfo.InvariantCulture) ?? "?"}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"App environment: {AppEnvironment}");
        sb.AppendLine(ReusedData is null ? "Data: loaded fresh for this run" : $"Data: REUSED, not loaded by this run: {ReusedData}");
        for (var r = 0; r < rows.Count; r++)
        {
            sb.AppendLine("| " + string.Join(" | ", rows[r].Select((c, i) => c.PadRight(widths[i]))) + " |");
            if (r == 0) sb.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        }
        return sb.ToString();
    }

    public static string Format(double value, string unit)
    {
        if (double.IsNaN(value)) return "n/a";
        var number = Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture)
            : Math.Abs(value) >= 10 ? value.ToString("N1", CultureInfo.InvariantCulture)
            : value.ToString("N2", CultureInfo.InvariantCulture);
        return $"{number} {unit}";
    }
}
