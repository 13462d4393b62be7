using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure.Results;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Features.Leads;

/// <summary>Convert Lead (guide steps 5 and 6): the lead becomes an account and a contact, and its licenses get both.</summary>
public sealed class LeadConversion(LicenseManagerDbContext db, TimeProvider time)
{
    public static class Codes
    {
        public const string LeadMissing = "lead_not_found";
        public const string AlreadyConverted = "lead_already_converted";
        public const string AccountMissing = "account_not_found";
        public const string AccountNameRequired = "account_name_required";
    }

    public sealed record Suggestion(long AccountKey, string Name, string Why);

    /// <summary>Accounts already linked to the same subscriber org, then accounts with a contact at the same email domain.</summary>
    public async Task<IReadOnlyList<Suggestion>> SuggestAccountsAsync(Lead lead, CancellationToken ct)
    {
        var suggestions = new List<Suggestion>();
        var orgs = await db.Licenses.Where(l => l.LeadKey == lead.Id).Select(l => l.SubscriberOrgId).Distinct().ToListAsync(ct);
        if (orgs.Count > 0)
        {
            var byOrg = await db.Licenses.Where(l => orgs.Contains(l.SubscriberOrgId) && l.AccountKey != null)
                .Select(l => new { l.AccountKey, l.Account!.Name, l.SubscriberOrgId }).Distinct().Take(5).ToListAsync(ct);
            suggestions.AddRange(byOrg.Select(a => new Suggestion(a.AccountKey!.Value, a.Name, $"already linked to subscriber org {a.SubscriberOrgId}")));
        }
        var domain = EmailDomain(lead.Email);
        if (domain is not null && !FreeMailDomains.Contains(domain))
        {
            var suffix = "@" + domain;
            var byDomain = await db.Contacts.Where(c => c.Email != null && c.Email.EndsWith(suffix))
                .Select(c => new { c.AccountKey, c.Account.Name }).Distinct().Take(5).ToListAsync(ct);
            suggestions.AddRange(byDomain.Where(a => suggestions.All(s => s.AccountKey != a.AccountKey))
                .Select(a => new Suggestion(a.AccountKey, a.Name, $"has a contact at {domain}")));
        }
        return suggestions;
    }

    /// <param name="existingAccountKey">Attach to this account; null creates a new account named <paramref name="newAccountName"/>.</param>
    /// <returns>The new contact (with its account), or why not.</returns>
    public async Task<CommandResult<Contact>> ConvertAsync(long leadKey, long? existingAccountKey, string? newAccountName, CancellationToken ct)
    {
        var lead = await db.Leads.FirstOrDefaultAsync(l => l.Id == leadKey, ct);
        if (lead is null) return CommandResult<Contact>.NotFound(Codes.LeadMissing, $"There is no lead {leadKey}.");
        if (lead.IsConverted) return CommandResult<Contact>.Invalid("", Codes.AlreadyConverted, "This lead has already been converted.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Claim the lead: of two people converting it at once, the second finds it converted, not a second account.
        var claimed = await db.Leads.Where(l => l.Id == leadKey && !l.IsConverted)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.IsConverted, true), ct);
        if (claimed == 0)
            return CommandResult<Contact>.Invalid("", Codes.AlreadyConverted, "This lead has just been converted by someone else.");

        Account? account;
        if (existingAccountKey is { } key)
        {
            account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == key, ct);
            if (account is null) return CommandResult<Contact>.Invalid("AccountKey", Codes.AccountMissing, "The chosen account no longer exists.");
        }
        else
        {
            var name = (newAccountName ?? "").Trim();
            if (name.Length is 0 or > 255)
                return CommandResult<Contact>.Invalid("NewAccountName", Codes.AccountNameRequired, "Enter the new account's name (up to 255 characters).");
            account = new Account { Name = name, Phone = lead.Phone, State = lead.State, Country = lead.Country };
            db.Accounts.Add(account);
        }

        var contact = new Contact
        {
            Account = account,
            FirstName = lead.FirstName,
            LastName = lead.LastName,
            Email = lead.Email,
            Phone = lead.Phone,
        };
        db.Contacts.Add(contact);
        lead.IsConverted = true;
        lead.ConvertedAt = time.GetUtcNow().UtcDateTime;
        lead.ConvertedAccount = account;
        lead.ConvertedContact = contact;

        // Tracked updates (not a bulk statement) so each license's history records the new account and contact.
        var licenses = await db.Licenses.Where(l => l.LeadKey == lead.Id).ToListAsync(ct);
        foreach (var license in licenses) license.LinkToCustomer(account, contact);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return CommandResult<Contact>.Conflict("concurrency_conflict", "One of this lead's licenses changed while converting. Nothing was saved: try again.", null);
        }
        await tx.CommitAsync(ct);
        return CommandResult<Contact>.Success(contact);
    }

    internal static string? EmailDomain(string? email)
    {
        var at = email?.LastIndexOf('@') ?? -1;
        return at > 0 && at < email!.Length - 1 ? email[(at + 1)..].ToLowerInvariant() : null;
    }

    private static readonly HashSet<string> FreeMailDomains = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com", "proton.me", "gmx.com"];
}
