using LicenseManager.Tests.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LicenseManager.Tests.Browser;

/// <summary>
/// The demo app on a real loopback port and a headless Debian Chromium driven by Playwright. Runs when
/// LMA_TEST_BROWSER names the browser (or /usr/bin/chromium exists); LMA_TEST_BROWSER_REQUIRED=true makes a
/// missing browser a failure instead of a skip.
/// </summary>
public sealed class BrowserApp : DemoApp
{
    public static readonly string? BrowserPath = Environment.GetEnvironmentVariable("LMA_TEST_BROWSER") is { Length: > 0 } path
        ? path
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
    public static readonly bool Required = Environment.GetEnvironmentVariable("LMA_TEST_BROWSER_REQUIRED") is "1" or "true";

    public bool BrowserAvailable => BrowserPath is not null && File.Exists(BrowserPath);
    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright? _playwright;
    public string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public override async Task InitializeAsync()
    {
        if (!BrowserAvailable)
        {
            if (Required) throw new InvalidOperationException($"LMA_TEST_BROWSER_REQUIRED is set but no browser was found at '{BrowserPath ?? "(unset)"}'.");
            return;
        }
        UseKestrel(0);
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    protected override async Task DisposeAppAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAppAsync();
    }

    /// <summary>A new browser context (its own cookies) signed in through the login page.</summary>
    public async Task<IPage> OpenSignedInAsync(string email, string password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync("/sign-in");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/sign-in"));
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
}
