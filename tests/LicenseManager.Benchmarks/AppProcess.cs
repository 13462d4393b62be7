using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace LicenseManager.Benchmarks;

/// <summary>
/// The real app as a child process (Release build, Production, its own port on 127.0.0.1), and its memory as Linux
/// reports it: VmHWM (peak resident set) in /proc/&lt;pid&gt;/status, reset between scenarios through clear_refs.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private long _peakBytes;

    public Uri BaseAddress { get; }
    public int Pid => _process.Id;
    public string AdminEmail { get; }
    public string AdminPassword { get; }
    public string IngestSecret { get; }

    private AppProcess(Process process, StreamWriter log, Uri baseAddress, string email, string password, string secret)
    {
        (_process, _log, BaseAddress, AdminEmail, AdminPassword, IngestSecret) = (process, log, baseAddress, email, password, secret);
    }

    /// <param name="Environment">Variables for every process of the app (<c>--app-env</c>: GC settings and the like).</param>
    public sealed record Settings(string AppPath, string Provider, string ConnectionString, string DataDirectory, int Port,
        string AdminEmail, string AdminPassword, string IngestSecret, IReadOnlyDictionary<string, string>? Environment = null);

    public static async Task<AppProcess> StartAsync(Settings s, string logPath, TimeSpan timeout)
    {
        var info = StartInfo(s, ["--urls", $"http://127.0.0.1:{s.Port}"]);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the app.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var app = new AppProcess(process, log, new Uri($"http://127.0.0.1:{s.Port}"), s.AdminEmail, s.AdminPassword, s.IngestSecret);

        using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} while starting; see {logPath}.");
            try
            {
                if ((await http.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await app.DisposeAsync();
        throw new TimeoutException($"The app did not answer /health/live within {timeout.TotalSeconds:0} s; see {logPath}.");
    }

    private static ProcessStartInfo StartInfo(Settings s, IEnumerable<string> leading)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(s.AppPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in s.Environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        info.ArgumentList.Add(s.AppPath);
        foreach (var a in leading) info.ArgumentList.Add(a);
        foreach (var a in new[]
                 {
                     $"--Database:Provider={s.Provider}", $"--ConnectionStrings:Lma={s.ConnectionString}",
                     $"--Lma:Admin:Email={s.AdminEmail}", $"--Lma:Admin:Password={s.AdminPassword}", $"--Lma:Ingest:Secret={s.IngestSecret}",
                     "--Lma:SeedDemoData=false", $"--Lma:DataDirectory={s.DataDirectory}", "--Lma:Refresh:MinimumInterval=00:00:01",
                     // One key carries the whole license-check load, as an ISV's app server would: its rate limit is raised to match.
                     "--Lma:Api:RateLimit:PermitLimit=1000000000",
                 })
            info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>
    /// Creates an API key the way an operator does, with the app's own command line
    /// (<c>api-keys create --name NAME --scopes SCOPES</c>), and returns the key it prints once.
    /// </summary>
    public static async Task<string> CreateApiKeyAsync(Settings s, string name, string scopes, string logPath)
    {
        var info = StartInfo(s, ["api-keys", "create", "--name", name, "--scopes", scopes]);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run the app's api-keys command.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await File.AppendAllTextAsync(logPath, await stderr);
        var key = (await stdout).Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("lma_", StringComparison.Ordinal));
        return process.ExitCode == 0 && key is not null
            ? key
            : throw new InvalidOperationException($"api-keys create exited with {process.ExitCode} and printed no key; see {logPath}.");
    }

    public sealed record CommandRun(int ExitCode, string StdOut, string StdErr, double Seconds, long PeakBytes);

    /// <summary>
    /// Runs one of the app's command-line verbs (as an operator would) and measures it: wall time and the process's peak
    /// resident memory (VmHWM, sampled until it exits; the high-water mark only grows, so the last sample is the peak).
    /// </summary>
    public static async Task<CommandRun> RunCommandAsync(Settings s, IEnumerable<string> verb, IReadOnlyDictionary<string, string> environment, string logPath, TimeSpan timeout)
    {
        var info = StartInfo(s, verb);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run the app's command.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        var exited = process.WaitForExitAsync();
        while (!exited.IsCompleted)
        {
            peak = Math.Max(peak, ReadStatusOf(process.Id, "VmHWM:"));
            await Task.WhenAny(exited, Task.Delay(100));
            if (sw.Elapsed > timeout)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{string.Join(' ', verb)} did not finish within {timeout.TotalSeconds:0} s; see {logPath}.");
            }
        }
        var seconds = sw.Elapsed.TotalSeconds;
        var (output, errors) = (await stdout, await stderr);
        await File.AppendAllTextAsync(logPath, output + errors);
        return new CommandRun(process.ExitCode, output, errors, seconds, peak);
    }

    private static long ReadStatusOf(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>Peak resident memory since start or the last <see cref="ResetPeak"/>, in bytes.</summary>
    public long PeakBytes()
    {
        var hwm = ReadStatus("VmHWM:");
        _peakBytes = Math.Max(_peakBytes, hwm);
        return hwm;
    }

    public long CurrentBytes() => ReadStatus("VmRSS:");

    /// <summary>The largest peak seen over the whole run, across resets.</summary>
    public long RunPeakBytes()
    {
        PeakBytes();
        return _peakBytes;
    }

    /// <summary>
    /// Samples the resident size every 50 ms until disposed, beside a fresh VmHWM window: the peak of that window is the
    /// larger of the two (VmHWM catches a spike between samples; the samples stand in when clear_refs is not writable).
    /// </summary>
    public PeakSampler SamplePeak() => new(this);

    public sealed class PeakSampler : IAsyncDisposable
    {
        private readonly AppProcess _app;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _sampled;

        public bool WindowReset { get; }
        public int Samples { get; private set; }

        internal PeakSampler(AppProcess app)
        {
            _app = app;
            WindowReset = app.ResetPeak();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    _sampled = Math.Max(_sampled, app.CurrentBytes());
                    Samples++;
                    try
                    {
                        await Task.Delay(50, _stop.Token);
                    }
                    catch (OperationCanceledException) { }
                }
            });
        }

        /// <summary>The window's peak in bytes, so far.</summary>
        public long PeakBytes => Math.Max(_sampled, WindowReset ? _app.PeakBytes() : 0);

        /// <summary>Stops sampling; safe to call more than once (the window is read after it).</summary>
        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested) return;
            await _stop.CancelAsync();
            await _loop;
            _sampled = Math.Max(_sampled, _app.CurrentBytes());
        }
    }

    /// <summary>Starts a new peak window (writes 5 to clear_refs); the run's overall peak is kept.</summary>
    public bool ResetPeak()
    {
        PeakBytes();
        try
        {
            File.WriteAllText($"/proc/{Pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private long ReadStatus(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The web app's build of this harness's configuration, found from the repository root.</summary>
    public static string DefaultAppPath()
    {
        var configuration = typeof(AppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LicenseManager.sln"))) dir = dir.Parent;
        if (dir is null) throw new FileNotFoundException("Could not find the repository root (LicenseManager.sln); pass --app.");
        var path = Path.Combine(dir.FullName, "src", "LicenseManager.Web", "bin", configuration, "net10.0", "LicenseManager.Web.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build it (dotnet build -c {configuration}) or pass --app.");
    }
}
