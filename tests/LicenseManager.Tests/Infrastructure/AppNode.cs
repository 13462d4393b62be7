using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LicenseManager.Core.Data;
using LicenseManager.Web.Features.Installs;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Infrastructure;

/// <summary>
/// The real app dll as a child process on a port of its own (Production, the job server on), as a node of a
/// deployment runs: tests start several over one database, kill one with SIGKILL and start another. A node is a
/// process of its own on the real clock (what these tests prove, lease takeover after a crash, happens in real time).
/// </summary>
public sealed partial class AppNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public Uri BaseAddress { get; }
    public int Pid => _process.Id;
    public HttpClient Http { get; }
    /// <summary>Everything the process wrote to stdout and stderr so far (for failure messages).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    private AppNode(Process process, Uri baseAddress)
    {
        (_process, BaseAddress) = (process, baseAddress);
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static AppNode Start(DatabaseProvider provider, string connectionString, string dataDirectory)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LicenseManager.Web.dll"));
        foreach (var a in new[]
                 {
                     $"--urls=http://127.0.0.1:{port}",
                     $"--Database:Provider={provider}", $"--ConnectionStrings:Lma={connectionString}",
                     "--Lma:Jobs:RunServer=true", "--Lma:SeedDemoData=false", $"--Lma:DataDirectory={dataDirectory}",
                     $"--Lma:Admin:Email={LmaApp.AdminEmail}", $"--Lma:Admin:Password={LmaApp.AdminPassword}",
                     $"--Lma:Ingest:Secret={LmaApp.IngestSecret}", "--Lma:PublicBaseUrl=http://lma.test",
                 })
            start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return new AppNode(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Waits until the node answers /health/live; fails with its output if it exits or never answers.</summary>
    public async Task WaitLiveAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new Xunit.Sdk.XunitException($"The node exited with code {_process.ExitCode} while starting:\n{Output}");
            try
            {
                if ((await probe.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"The node did not answer /health/live within {timeout.TotalSeconds:0} s:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the machine or the container dies.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>POSTs a signed install event as the distribution pipeline does, signed now: a node runs on the real clock.</summary>
    public async Task<HttpResponseMessage> PostEventAsync(InstallEventRequest body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, InstallEventRequest.Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/install-events") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(IngestSignature.Header, IngestSignature.Sign(LmaApp.IngestSecret, DateTimeOffset.UtcNow, bytes));
        return await Http.SendAsync(request);
    }

    /// <summary>A client signed in through the node's real login form (its own antiforgery token and cookies).</summary>
    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var form = await client.GetStringAsync("/sign-in");
        var token = TokenPattern().Match(form) is { Success: true } m ? m.Groups[1].Value
            : throw new Xunit.Sdk.XunitException("The login page has no antiforgery token");
        var response = await client.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        var location = response.Headers.Location?.OriginalString ?? "";
        if (response.StatusCode != HttpStatusCode.Redirect || location.Contains("login", StringComparison.OrdinalIgnoreCase))
            throw new Xunit.Sdk.XunitException($"Login on {BaseAddress} failed: {(int)response.StatusCode} {location}\n{await response.Content.ReadAsStringAsync()}");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A DbContext of the test's own over the nodes' database, to look at what they did.</summary>
    public static LicenseManagerDbContext Db(DatabaseProvider provider, string connectionString) =>
        new(LmaDatabase.Configure(new DbContextOptionsBuilder<LicenseManagerDbContext>(), provider, connectionString).Options as DbContextOptions<LicenseManagerDbContext>
            ?? throw new InvalidOperationException());

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
        Http.Dispose();
        _process.Dispose();
    }
}
