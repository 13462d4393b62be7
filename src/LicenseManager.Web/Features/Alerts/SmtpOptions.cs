using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using MimeKit;

namespace LicenseManager.Web.Features.Alerts;

/// <summary>The "Lma:Smtp" section. With no Host, alert emails are written as .eml files to &lt;DataDirectory&gt;/mail.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Lma:Smtp";

    public string? Host { get; set; }
    [Range(1, 65535)]
    public int Port { get; set; } = 587;
    /// <summary>None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "LicenseManager <licensemanager@localhost>";
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!MailboxAddress.TryParse(From, out _))
            yield return new ValidationResult($"{Section}:From '{From}' is not an email address (e.g. LicenseManager <lma@example.com>).", [nameof(From)]);
        if (!string.IsNullOrEmpty(UserName) && string.IsNullOrEmpty(Password))
            yield return new ValidationResult($"{Section}:Password is required when {Section}:UserName is set.", [nameof(Password)]);
    }
}
