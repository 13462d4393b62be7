using System.Net;
using LicenseManager.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using netDumbster.smtp;

namespace LicenseManager.Tests.Alerts;

/// <summary>A real SMTP server on a random loopback port that can be stopped and started again on the same port.</summary>
public sealed class MailCatcher : IDisposable
{
    private SimpleSmtpServer? _server;
    public int Port { get; }

    public MailCatcher()
    {
        _server = Configuration.Configure().WithAddress(IPAddress.Loopback).WithRandomPort().Build();
        Port = _server.Configuration.Port;
    }

    public IReadOnlyList<SmtpMessage> Received => _server?.ReceivedEmail ?? [];

    public void Stop()
    {
        _server?.Stop();
        _server?.Dispose();
        _server = null;
    }

    public void Start() => _server ??= Configuration.Configure().WithAddress(IPAddress.Loopback).WithPort(Port).Build();

    public IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Lma:Smtp:Host"] = "127.0.0.1",
        ["Lma:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Lma:Smtp:Security"] = "None",
        ["Lma:Smtp:From"] = "LicenseManager <lma@test.local>",
        ["Lma:Smtp:TimeoutSeconds"] = "5",
    };

    public void Dispose() => Stop();
}

/// <summary>The app with SMTP pointed at a <see cref="MailCatcher"/> and a clock the tests move.</summary>
public interface IAlertsApp
{
    MailCatcher Mail { get; }
    FakeTimeProvider Clock { get; }
}

public sealed class AlertsSqliteApp : SqliteApp, IAlertsApp
{
    public MailCatcher Mail { get; } = new();

    protected override IDictionary<string, string?> ExtraSettings
    {
        get
        {
            var settings = base.ExtraSettings;
            foreach (var (k, v) in Mail.Settings) settings[k] = v;
            return settings;
        }
    }

    protected override async Task DisposeAppAsync()
    {
        await base.DisposeAppAsync();
        Mail.Dispose();
    }
}

public sealed class AlertsPostgresApp : PostgresApp, IAlertsApp
{
    public MailCatcher Mail { get; } = new();

    protected override IDictionary<string, string?> ExtraSettings => Mail.Settings;

    protected override async Task DisposeAppAsync()
    {
        await base.DisposeAppAsync();
        Mail.Dispose();
    }
}
