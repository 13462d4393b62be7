namespace LicenseManager.Core.Domain;

/// <summary>
/// Failed sign-ins counted for one normalized email, either from one client address or (with <see cref="AnyAddress"/>)
/// from all of them, and the lock they caused. Kept in the database so every node sees the same count, and kept for
/// emails that belong to no user as well, so an unknown email locks exactly like a real one.
/// </summary>
public class SignInLockout
{
    /// <summary>The scope of the row that counts failures from every address: the account-wide lock.</summary>
    public const string AnyAddress = "*";

    public string NormalizedEmail { get; set; } = "";
    /// <summary>The client address the failures came from, or <see cref="AnyAddress"/>.</summary>
    public string Scope { get; set; } = "";
    public int Failures { get; set; }
    public DateTime WindowStartedAt { get; set; }
    public DateTime? LockedUntil { get; set; }
    /// <summary>Concurrency token: two nodes counting the same attempt at once can't both win.</summary>
    public int Version { get; set; }

    public bool IsLocked(DateTime now) => LockedUntil > now;

    /// <summary>Counts one attempt; failures older than the window are forgotten. Locks when the count reaches the limit.</summary>
    public void Count(DateTime now, int limit, TimeSpan window)
    {
        if (WindowStartedAt <= now - window)
        {
            Failures = 0;
            WindowStartedAt = now;
            LockedUntil = null;
        }
        Failures++;
        Version++;
        if (Failures >= limit) LockedUntil = now + window;
    }
}
