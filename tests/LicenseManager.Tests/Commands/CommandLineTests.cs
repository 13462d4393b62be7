using System.Diagnostics;

namespace LicenseManager.Tests.Commands;

/// <summary>
/// The operators' verbs, run as an operator runs them: the real LicenseManager.Web.dll as a child process. A verb
/// anywhere among the arguments runs that command and exits; it never starts the web server.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "lma-cli-" + Guid.NewGuid().ToString("N"));
    private const string ServerStartedLine = "LicenseManager is running";

    private sealed record Run(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs the dll with exactly these arguments; a run that doesn't exit in time is killed and fails the test.</summary>
    private static async Task<Run> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LicenseManager.Web.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // A server that starts by mistake must not take a real port or email anyone.
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Lma__Jobs__RunServer"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(true);
            await process.WaitForExitAsync();
            Assert.Fail($"`{string.Join(' ', args)}` did not exit within 45 s (a web server started?).\nstdout: {await stdout}\nstderr: {await stderr}");
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Configuration_options_before_the_verb_run_the_command_and_exit_without_starting_the_server()
    {
        var run = await RunAsync("--Database:Provider=Sqlite", "--Lma:DataDirectory", _dataDirectory, "api-keys", "create", "--name", "ci", "--scopes", "check");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.StdErr}");
        // The first start also prints the generated administrator password; the key is the last line.
        Assert.StartsWith("lma_", run.StdOut.Trim().Split('\n')[^1]);
        Assert.Contains("Created API key 'ci'", run.StdErr);
        Assert.DoesNotContain(ServerStartedLine, run.StdOut + run.StdErr);

        // The key went into the configured database: the next command, options on both sides, lists it.
        var list = await RunAsync("--Lma:DataDirectory=" + _dataDirectory, "api-keys", "list", "--Database:Provider", "Sqlite");
        Assert.True(list.ExitCode == 0, $"exit {list.ExitCode}: {list.StdErr}");
        Assert.Contains("\tci\t", list.StdOut);
        Assert.DoesNotContain(ServerStartedLine, list.StdOut + list.StdErr);
    }

    [Fact]
    public async Task An_unknown_verb_is_an_error_that_lists_the_verbs()
    {
        var run = await RunAsync("--Lma:DataDirectory=" + _dataDirectory, "frobnicate");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Unknown command 'frobnicate'", run.StdErr);
        foreach (var verb in new[] { "export", "import", "api-keys create", "api-keys list", "api-keys revoke", "signing-keys rotate" })
            Assert.Contains(verb, run.StdErr);
        Assert.DoesNotContain(ServerStartedLine, run.StdOut + run.StdErr);
    }

    [Fact]
    public async Task An_option_the_verb_does_not_take_is_an_error_not_ignored()
    {
        var run = await RunAsync("--Lma:DataDirectory=" + _dataDirectory, "api-keys", "create", "--name", "ci", "--scopes", "check", "--pakages", "033000000000001AAA");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--pakages", run.StdErr);
        Assert.Contains("--packages", run.StdErr);
        Assert.DoesNotContain("lma_", run.StdOut);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    public async Task Help_prints_every_verb_with_its_options_and_exits_0(string help)
    {
        var run = await RunAsync("--Lma:DataDirectory=" + _dataDirectory, help);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.StdErr}");
        foreach (var text in new[] { "export", "import", "--file", "api-keys create", "--name", "--scopes", "--packages", "api-keys revoke", "--id", "signing-keys rotate" })
            Assert.Contains(text, run.StdOut);
        Assert.DoesNotContain(ServerStartedLine, run.StdOut + run.StdErr);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
