namespace LicenseManager.Web.Infrastructure;

/// <summary>"Lma:Admin": the first administrator, created on first start (a password is generated and printed when none is given).</summary>
public sealed class LmaAdminOptions
{
    public string Email { get; set; } = "admin@licensemanager.local";
    public string? Password { get; set; }
}
