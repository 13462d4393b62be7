using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Transfer;

/// <summary>
/// Move the LMA from the command line:
/// `export --file PATH [--passphrase-file PATH]` and `import --file PATH [--passphrase-file PATH] [--admin EMAIL]`.
/// The passphrase comes from the file named, else from LMA_TRANSFER_PASSPHRASE; it is never an argument (it would
/// show in the process list and the shell history).
/// </summary>
public static class TransferCommands
{
    public const string PassphraseVariable = "LMA_TRANSFER_PASSPHRASE";

    /// <summary>The verbs, as <see cref="Commands.All"/> lists them.</summary>
    public static readonly IReadOnlyList<Command> All =
    [
        new("export", "Write the whole LMA, as it is now, to a JSON-lines file (to move it to another installation).",
            [
                new("file", "PATH", "the file to write", Required: true),
                new("passphrase-file", "PATH", $"a file holding the passphrase that encrypts the signing keys in the export (else ${PassphraseVariable})"),
            ],
            (services, line, output, errors, ct) => RunAsync(services, "export", line, output, errors, ct)),
        new("import", "Restore an export file into this fresh LMA: the same licenses, numbers, history, people and keys.",
            [
                new("file", "PATH", "the export file to read", Required: true),
                new("passphrase-file", "PATH", $"a file holding the export's passphrase (else ${PassphraseVariable})"),
                new("admin", "EMAIL", "the administrator who takes over records of users missing here (default Lma:Admin:Email)"),
            ],
            (services, line, output, errors, ct) => RunAsync(services, "import", line, output, errors, ct)),
    ];

    public static async Task<int> RunAsync(IServiceProvider services, string verb, CommandLine line, TextWriter output, TextWriter errors, CancellationToken ct = default)
    {
        var file = line.Get("file");
        if (file is null)
        {
            await errors.WriteLineAsync($"{verb}: --file PATH is required.");
            return 1;
        }
        var passphrase = await PassphraseAsync(line, errors, verb, ct);
        if (passphrase is null) return 1;
        if (verb == "export" && TransferPassphrase.Problem(passphrase) is { } weak)
        {
            await errors.WriteLineAsync($"export: {weak}");
            return 1;
        }
        if (verb == "import" && !File.Exists(file))
        {
            await errors.WriteLineAsync($"import: {file} does not exist.");
            return 1;
        }

        // The same preparation as a start of the app: database created and migrated, roles, first administrator.
        await services.GetServices<IHostedService>().OfType<DatabaseInitializer>().Single().InitializeAsync(seedDemoData: false, ct);
        await using var scope = services.CreateAsyncScope();

        if (verb == "export")
        {
            var full = Path.GetFullPath(file);
            var partial = full + ".partial";
            IReadOnlyDictionary<string, long> counts;
            await using (var stream = PrivateFile.Create(partial))
                counts = await scope.ServiceProvider.GetRequiredService<LmaExporter>().ExportAsync(stream, passphrase, ct);
            File.Move(partial, full, overwrite: true); // a file that exists under its name is complete
            await output.WriteLineAsync($"Exported to {full}.");
            await output.WriteLineAsync("Moved: " + new TransferReport(counts, [], []).CountsLine());
            await output.WriteLineAsync("The file holds API key hashes and the token signing keys (encrypted with the passphrase): keep it safe.");
            return 0;
        }

        var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
        var adminEmail = line.Get("admin") ?? scope.ServiceProvider.GetRequiredService<IOptions<LmaOptions>>().Value.Admin.Email;
        var admin = await AdministratorAsync(db, adminEmail, ct);
        if (admin is null)
        {
            await errors.WriteLineAsync($"import: {adminEmail} is not an administrator here; pass --admin EMAIL of the administrator who takes over records of users missing here.");
            return 1;
        }
        var (report, error) = await scope.ServiceProvider.GetRequiredService<LmaImporter>().ImportAsync(file, passphrase, admin, ct);
        if (error is not null)
        {
            await errors.WriteLineAsync($"import: {error}");
            return 1;
        }
        await output.WriteLineAsync("Imported: " + report!.CountsLine());
        if (report.MissingUsers.Count > 0) await output.WriteLineAsync("Users missing here: " + string.Join(", ", report.MissingUsers));
        foreach (var note in report.Notes) await output.WriteLineAsync(note);
        return 0;
    }

    private static async Task<string?> PassphraseAsync(CommandLine line, TextWriter errors, string verb, CancellationToken ct)
    {
        if (line.Get("passphrase-file") is { } path)
        {
            if (!File.Exists(path))
            {
                await errors.WriteLineAsync($"{verb}: the passphrase file {path} does not exist.");
                return null;
            }
            return (await File.ReadAllTextAsync(path, ct)).TrimEnd('\r', '\n');
        }
        if (Environment.GetEnvironmentVariable(PassphraseVariable) is { Length: > 0 } fromEnvironment) return fromEnvironment;
        await errors.WriteLineAsync($"{verb}: give the passphrase that protects the signing keys with --passphrase-file PATH or the {PassphraseVariable} environment variable.");
        return null;
    }

    private static async Task<string?> AdministratorAsync(LicenseManagerDbContext db, string email, CancellationToken ct)
    {
        var normalized = email.ToUpperInvariant();
        var roleId = await db.Roles.Where(r => r.Name == Roles.Administrator).Select(r => r.Id).SingleOrDefaultAsync(ct);
        return await db.Users.Where(u => u.NormalizedEmail == normalized && db.UserRoles.Any(ur => ur.UserId == u.Id && ur.RoleId == roleId))
            .Select(u => u.Id).FirstOrDefaultAsync(ct);
    }
}
