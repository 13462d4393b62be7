namespace LicenseManager.Core.Domain;

public class Lead : AuditedEntity
{
    /// <summary>The Lead Source of leads the LMA creates from installs.</summary>
    public const string PackageInstallationSource = "Package Installation";

    public string? FirstName { get; set; }
    public string LastName { get; set; } = "";
    public string Company { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? State { get; set; }
    public string? Country { get; set; }
    public string LeadSource { get; set; } = PackageInstallationSource;

    /// <summary>Lead Owner: a user, or null when the LMA owns the lead.</summary>
    public string? OwnerId { get; set; }
    public ApplicationUser? Owner { get; set; }

    public bool IsConverted { get; set; }
    public DateTime? ConvertedAt { get; set; }
    public long? ConvertedAccountKey { get; set; }
    public Account? ConvertedAccount { get; set; }
    public long? ConvertedContactKey { get; set; }
    public Contact? ConvertedContact { get; set; }

    public string FullName => string.IsNullOrWhiteSpace(FirstName) ? LastName : $"{FirstName} {LastName}";
}

public class Account : AuditedEntity
{
    public string Name { get; set; } = "";
    public string? Phone { get; set; }
    public string? Website { get; set; }
    public string? State { get; set; }
    public string? Country { get; set; }
    public List<Contact> Contacts { get; set; } = [];
}

public class Contact : AuditedEntity
{
    public long AccountKey { get; set; }
    public Account Account { get; set; } = null!;
    public string? FirstName { get; set; }
    public string LastName { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Title { get; set; }

    public string FullName => string.IsNullOrWhiteSpace(FirstName) ? LastName : $"{FirstName} {LastName}";
}
