using FluentValidation;
using Hangfire;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Packages;

/// <summary>What License Managers and Administrators do to a package: associate it, set defaults and lead manager, retry, refresh.</summary>
public sealed class PackageCommands(
    LicenseManagerDbContext db,
    UserManager<ApplicationUser> users,
    InstallEventSignal signal,
    IBackgroundJobClient jobs,
    IOptions<RefreshOptions> refreshOptions,
    IValidator<PackageAssociationInput> associationValidator,
    TimeProvider time)
{
    public static class Codes
    {
        public const string NotFound = "package_not_found";
        public const string StaleVersion = "concurrency_conflict";
        public const string LeadManagerInvalid = "lead_manager_invalid";
        public const string RefreshTooSoon = "refresh_too_soon";
    }

    /// <summary>The association as the page's form or the API sent it: its shape first, then the license rules.</summary>
    public async Task<CommandResult> SetAssociationAsync(long packageKey, PackageAssociationInput input, int? expectedVersion, CancellationToken ct)
    {
        var shape = await associationValidator.ValidateAsync(input, ct);
        return shape.IsValid ? await SetAssociationAsync(packageKey, input.ToDefaults(), expectedVersion, ct) : CommandResult.Invalid(CommandResult.From(shape));
    }

    /// <summary>Associates the package (or changes its defaults) and releases installs that waited for the association.</summary>
    public async Task<CommandResult> SetAssociationAsync(long packageKey, LicenseDefaults defaults, int? expectedVersion, CancellationToken ct)
    {
        var errors = LicenseRules.ValidateDefaults(defaults);
        if (errors.Count > 0) return CommandResult.Invalid(errors);
        var package = await db.Packages.FirstOrDefaultAsync(p => p.Id == packageKey, ct);
        if (package is null) return PackageNotFound;
        if (expectedVersion is { } v && v != package.Version) return ChangedSinceOpened;

        var wasAssociated = package.IsAssociated;
        package.Defaults = defaults;
        if (!wasAssociated)
        {
            package.IsAssociated = true;
            package.AssociatedAt = time.GetUtcNow().UtcDateTime;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await TrySaveAsync(ct)) return StaleResult;
        if (!wasAssociated) await db.ReleaseHeldAsync(package.Id, ct);
        await tx.CommitAsync(ct);
        signal.Nudge();
        return CommandResult.Ok;
    }

    private static readonly CommandResult StaleResult =
        CommandResult.Conflict(Codes.StaleVersion, "Someone else changed this package at the same time. Review the current values and save again.");
    private static readonly CommandResult ChangedSinceOpened =
        CommandResult.Conflict(Codes.StaleVersion, "Someone else changed this package since you opened it. Review the current values and save again.");
    private static readonly CommandResult PackageNotFound = CommandResult.NotFound(Codes.NotFound, "Package not found.");

    /// <summary>Saves, or reports false when the package's version moved under us (the concurrency token).</summary>
    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>Users who may own leads: active, and in a role that can read licenses.</summary>
    public async Task<IReadOnlyList<ApplicationUser>> EligibleLeadManagersAsync(CancellationToken ct)
    {
        var roleIds = await db.Roles.Where(r => Roles.CanReadLicenses.Contains(r.Name!)).Select(r => r.Id).ToListAsync(ct);
        return await db.Users.Where(u => u.IsActive && db.UserRoles.Any(ur => ur.UserId == u.Id && roleIds.Contains(ur.RoleId)))
            .OrderBy(u => u.DisplayName).ToListAsync(ct);
    }

    public async Task<CommandResult> ChangeLeadManagerAsync(long packageKey, string? userId, int? expectedVersion, CancellationToken ct)
    {
        var package = await db.Packages.FirstOrDefaultAsync(p => p.Id == packageKey, ct);
        if (package is null) return PackageNotFound;
        if (expectedVersion is { } v && v != package.Version) return ChangedSinceOpened;
        if (!string.IsNullOrEmpty(userId))
        {
            // A malformed id names no user (and a NUL would fail on PostgreSQL before it could say so).
            var user = Ids.IsUserId(userId) ? await users.FindByIdAsync(userId) : null;
            if (user is null || !user.IsActive)
                return CommandResult.Invalid("LeadManagerId", Codes.LeadManagerInvalid, "Choose an active user: inactive users can't own leads.");
            var roles = await users.GetRolesAsync(user);
            if (!roles.Any(Roles.CanReadLicenses.Contains))
                return CommandResult.Invalid("LeadManagerId", Codes.LeadManagerInvalid, "Choose a user who can read licenses (a user with at least one LMA role).");
        }
        package.LeadManagerId = string.IsNullOrEmpty(userId) ? null : userId;
        return await TrySaveAsync(ct) ? CommandResult.Ok : StaleResult;
    }

    /// <summary>The troubleshooting page's Retry: every held install of the package goes back to the processor. The value: how many.</summary>
    public async Task<CommandResult<int>> RetryHeldAsync(long packageKey, CancellationToken ct)
    {
        if (!await db.Packages.AnyAsync(p => p.Id == packageKey, ct)) return CommandResult<int>.NotFound(Codes.NotFound, "Package not found.");
        var released = await db.ReleaseHeldAsync(packageKey, ct);
        signal.Nudge();
        return CommandResult<int>.Success(released);
    }

    /// <summary>When the next manual refresh is allowed; null when now.</summary>
    public DateTime? NextRefreshAvailableAt(Package package)
    {
        if (package.LastLicenseRefreshAt is not { } last) return null;
        var next = last + refreshOptions.Value.MinimumInterval;
        return next > time.GetUtcNow().UtcDateTime ? next : null;
    }

    /// <summary>Queues Refresh Licenses (the value: the refresh's id). Manual requests respect the minimum interval; the weekly job does not ask.</summary>
    public async Task<CommandResult<long>> RequestRefreshAsync(long packageKey, bool manual, CancellationToken ct)
    {
        var package = await db.Packages.FirstOrDefaultAsync(p => p.Id == packageKey, ct);
        if (package is null) return CommandResult<long>.NotFound(Codes.NotFound, "Package not found.");
        if (manual && NextRefreshAvailableAt(package) is { } next)
            return CommandResult<long>.Invalid("", Codes.RefreshTooSoon,
                $"Licenses for this package were refreshed at {package.LastLicenseRefreshAt:yyyy-MM-dd HH:mm} UTC; the next refresh is available at {next:yyyy-MM-dd HH:mm} UTC.");
        var running = await db.LicenseRefreshes.AnyAsync(r => r.PackageKey == packageKey && (r.State == RefreshState.Queued || r.State == RefreshState.Running), ct);
        if (running) return CommandResult<long>.Invalid("", Codes.RefreshTooSoon, "A refresh of this package is already queued or running.");

        var refresh = new LicenseRefresh
        {
            PackageKey = packageKey,
            RequestedAt = time.GetUtcNow().UtcDateTime,
            RequestedBy = db.Actor.Name,
            State = RefreshState.Queued,
        };
        db.LicenseRefreshes.Add(refresh);
        // Claim the weekly slot now so a second click or another node can't queue a second refresh.
        package.LastLicenseRefreshAt = refresh.RequestedAt;
        if (!await TrySaveAsync(ct)) return CommandResult<long>.Invalid("", Codes.RefreshTooSoon, "A refresh of this package was just requested by someone else.");
        jobs.Enqueue<RefreshLicensesJob>(j => j.RunAsync(refresh.Id, CancellationToken.None));
        return CommandResult<long>.Success(refresh.Id);
    }
}
