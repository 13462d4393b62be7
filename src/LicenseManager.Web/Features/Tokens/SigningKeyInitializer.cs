
namespace LicenseManager.Web.Features.Tokens;

/// <summary>Generates the signing key on first start, once the database initializer has migrated the database.</summary>
internal sealed class SigningKeyInitializer(SigningKeys keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => keys.EnsureKeyAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
