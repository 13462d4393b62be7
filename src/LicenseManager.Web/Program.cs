using LicenseManager.Core.Data;
using LicenseManager.Web;
using Microsoft.Extensions.Options;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddLicenseManager();
    var app = builder.Build();
    if (await Commands.TryRunAsync(app, args) is { } exitCode) return exitCode;
    app.UseLicenseManager();
    await app.RunAsync();
    return 0;
}
catch (ConfigurationProblemException e)
{
    // One clear line naming the setting; no stack trace.
    Console.Error.WriteLine($"LicenseManager cannot start: {e.Message}");
    return 2;
}
catch (DatabaseStartupException e)
{
    // The setting was right and the database answered: say what failed, not which setting to check.
    Console.Error.WriteLine($"LicenseManager cannot start: {e.Message}");
    return 3;
}
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"LicenseManager cannot start: invalid configuration: {string.Join(" ", e.Failures)}");
    return 2;
}

public partial class Program;
