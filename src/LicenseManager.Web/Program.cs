using LicenseManager.Core.Data;
using LicenseManager.Web;
using Microsoft.Extensions.Options;

try
{
    // The arguments are read once: help, a command (which never starts the web server), or the web app.
    var request = Commands.Resolve(args);
    if (request.Help)
    {
        Console.Out.Write(Commands.Help());
        return 0;
    }
    if (request.Error is { } error)
    {
        Console.Error.WriteLine(error);
        Console.Error.WriteLine("Run with --help for every command and its options.");
        return 1;
    }
    var builder = WebApplication.CreateBuilder(request.ConfigurationArgs.ToArray());
    builder.AddLicenseManager();
    var app = builder.Build();
    if (request.Command is { } command) return await command.RunAsync(app.Services, request.Line, Console.Out, Console.Error, CancellationToken.None);
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
