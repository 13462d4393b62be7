using LicenseManager.Web.Infrastructure;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>Where alert emails go: an SMTP server, or a folder of .eml files when none is configured.</summary>
public interface IMailTransport
{
    /// <summary>Opens a session for a batch of messages. Throws when the server can't be reached (every message of the batch then fails).</summary>
    Task<IMailSession> OpenAsync(CancellationToken ct);
}

public interface IMailSession : IAsyncDisposable
{
    /// <summary>Delivers one message and says where it went. Throws with the server's error when it is refused.</summary>
    Task<string> SendAsync(MimeMessage message, long messageId, CancellationToken ct);
}

/// <summary>MailKit over SMTP with the configured host, port, TLS mode and credentials; one connection per batch.</summary>
public sealed class SmtpMailTransport(IOptions<SmtpOptions> options) : IMailTransport
{
    public async Task<IMailSession> OpenAsync(CancellationToken ct)
    {
        var o = options.Value;
        var client = new SmtpClient { Timeout = o.TimeoutSeconds * 1000 };
        try
        {
            await client.ConnectAsync(o.Host!, o.Port, o.Security, ct);
            if (!string.IsNullOrEmpty(o.UserName)) await client.AuthenticateAsync(o.UserName, o.Password ?? "", ct);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return new Session(client, $"smtp {o.Host}:{o.Port}");
    }

    private sealed class Session(SmtpClient client, string via) : IMailSession
    {
        public async Task<string> SendAsync(MimeMessage message, long messageId, CancellationToken ct)
        {
            await client.SendAsync(message, ct);
            return via;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or MailKit.ProtocolException or MailKit.CommandException) { /* delivery already recorded */ }
            client.Dispose();
        }
    }
}

/// <summary>
/// The embedded default: each message becomes &lt;DataDirectory&gt;/mail/&lt;id&gt;.eml, shown in the email log, so a
/// new installation sees alerts work before anyone configures SMTP. Writing the same message again overwrites it.
/// </summary>
public sealed class PickupFolderMailTransport(IOptions<LmaOptions> lma, IHostEnvironment environment) : IMailTransport
{
    public string Folder => Path.Combine(lma.Value.ResolveDataDirectory(environment.ContentRootPath), "mail");

    public string FileFor(long messageId) => Path.Combine(Folder, $"{messageId}.eml");

    public Task<IMailSession> OpenAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        return Task.FromResult<IMailSession>(new Session(this));
    }

    private sealed class Session(PickupFolderMailTransport folder) : IMailSession
    {
        public async Task<string> SendAsync(MimeMessage message, long messageId, CancellationToken ct)
        {
            var file = folder.FileFor(messageId);
            var temporary = file + ".tmp";
            await message.WriteToAsync(temporary, ct);
            File.Move(temporary, file, overwrite: true);
            return $"file mail/{Path.GetFileName(file)}";
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
