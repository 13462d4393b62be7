namespace LicenseManager.Web.Features.Transfer;

/// <summary>Move the LMA: the export and the import (the page, and the CLI verbs in <see cref="TransferCommands"/>).</summary>
public static class TransferSetup
{
    public static IServiceCollection AddTransfer(this IServiceCollection services)
    {
        services.AddScoped<LmaExporter>();
        services.AddScoped<LmaImporter>();
        return services;
    }
}
