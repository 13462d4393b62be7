using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.SignIn;

/// <summary>
/// Email and password sign-in that tells a stranger nothing: an unknown email runs the same password hash, gets the same
/// message and locks after the same number of failures as a real account. Failures are counted in the database
/// (<see cref="SignInLockout"/>) per email and client address, and per email over all addresses:
/// - one address that fails <see cref="SignInLimitOptions.FailuresPerAddress"/> times is locked out of that email, and only
///   that address, for <see cref="SignInLimitOptions.LockoutDuration"/>: a stranger can't lock the owner out;
/// - <see cref="SignInLimitOptions.FailuresPerAccount"/> failures from all addresses lock the email for everyone, which
///   needs several addresses (one contributes fewer than 2 x FailuresPerAddress per period).
/// An attempt is counted against its address before the password is checked, so parallel guesses can't exceed the limit.
/// </summary>
public sealed class PasswordSignIn(
    LicenseManagerDbContext db,
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    IPasswordHasher<ApplicationUser> hasher,
    IOptions<SignInLimitOptions> options,
    TimeProvider time)
{
    public enum Outcome { SignedIn, Failed, LockedOut, Deactivated }

    public sealed record Result(Outcome Outcome, ApplicationUser? User = null);

    private static string? s_dummyHash;

    public async Task<Result> SignInAsync(string email, string password, bool rememberMe, string clientAddress, CancellationToken ct = default)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var normalized = users.NormalizeEmail(email.Trim()) ?? "";
        var user = await users.FindByEmailAsync(email.Trim());

        var account = await db.SignInLockouts.AsNoTracking()
            .SingleOrDefaultAsync(x => x.NormalizedEmail == normalized && x.Scope == SignInLockout.AnyAddress, ct);
        if (account?.IsLocked(now) == true || user?.LockoutEnd > now) return new(Outcome.LockedOut);
        var address = await CountAttemptAsync(normalized, Scope(clientAddress), o.FailuresPerAddress, o.LockoutDuration, now, ct);
        if (address is null) return new(Outcome.LockedOut);

        if (!await PasswordMatchesAsync(user, password))
        {
            var accountRow = await CountAttemptAsync(normalized, SignInLockout.AnyAddress, o.FailuresPerAccount, o.LockoutDuration, now, ct);
            // The account-wide lock also shows on the Users page and is cleared by a password reset, as Identity's own is.
            if (user is not null && accountRow?.LockedUntil is { } until) await users.SetLockoutEndDateAsync(user, until);
            // A null row was locked by a concurrent attempt: the account is locked either way.
            return new(address.IsLocked(now) || accountRow is null || accountRow.IsLocked(now) ? Outcome.LockedOut : Outcome.Failed);
        }

        // The right password: this address's count starts again (the account-wide count of others' failures stays).
        await db.SignInLockouts.Where(x => x.NormalizedEmail == normalized && x.Scope == address.Scope).ExecuteDeleteAsync(ct);
        // Only now may the answer say that the account exists and is deactivated: the caller knows its password.
        if (!await signIn.CanSignInAsync(user!)) return new(Outcome.Deactivated, user);
        await signIn.SignInAsync(user!, rememberMe);
        return new(Outcome.SignedIn, user);
    }

    /// <summary>An administrator's password reset also lifts every sign-in lock of the user.</summary>
    public Task ClearAsync(string normalizedEmail, CancellationToken ct = default) =>
        db.SignInLockouts.Where(x => x.NormalizedEmail == normalizedEmail).ExecuteDeleteAsync(ct);

    private async Task<bool> PasswordMatchesAsync(ApplicationUser? user, string password)
    {
        if (user is not null && await users.HasPasswordAsync(user)) return await users.CheckPasswordAsync(user, password);
        // No such user (or no password yet): hash anyway, with the same hasher and settings, so the answer takes as long.
        var dummy = new ApplicationUser();
        s_dummyHash ??= hasher.HashPassword(dummy, Guid.NewGuid().ToString("N"));
        hasher.VerifyHashedPassword(dummy, s_dummyHash, password);
        return false;
    }

    /// <summary>
    /// Counts one attempt on a row; null when the row is already locked (nothing counted). Retried when another
    /// node counted the same row at the same moment.
    /// </summary>
    private async Task<SignInLockout?> CountAttemptAsync(string normalizedEmail, string scope, int limit, TimeSpan window, DateTime now, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await db.SignInLockouts.SingleOrDefaultAsync(x => x.NormalizedEmail == normalizedEmail && x.Scope == scope, ct);
            if (row?.IsLocked(now) == true) return null;
            if (row is null)
            {
                row = new SignInLockout { NormalizedEmail = normalizedEmail, Scope = scope, WindowStartedAt = now };
                db.SignInLockouts.Add(row);
            }
            row.Count(now, limit, window);
            try
            {
                await db.SaveChangesAsync(ct);
                db.Entry(row).State = EntityState.Detached;
                if (attempt == 0) await SweepAsync(window, now, ct);
                return row;
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                // Still contended after several tries: refuse this attempt rather than let it go uncounted.
                if (attempt >= 5) return null;
            }
        }
    }

    /// <summary>Rows whose window and lock have both passed say nothing any more; unknown emails must not pile up.</summary>
    private Task SweepAsync(TimeSpan window, DateTime now, CancellationToken ct)
    {
        // A lock ends at most two windows after its window started.
        var cutoff = now - window - window;
        return db.SignInLockouts.Where(x => x.WindowStartedAt < cutoff).ExecuteDeleteAsync(ct);
    }

    private static string Scope(string clientAddress) => clientAddress.Length > 64 ? clientAddress[..64] : clientAddress;
}
