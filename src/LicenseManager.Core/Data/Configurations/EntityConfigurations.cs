using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseManager.Core.Data.Configurations;

internal static class AuditMapping
{
    public static void MapAudit<T>(this EntityTypeBuilder<T> b) where T : class, IAudited
    {
        b.Property(x => x.CreatedBy).HasMaxLength(256).IsRequired();
        b.Property(x => x.LastModifiedBy).HasMaxLength(256).IsRequired();
    }
}

internal sealed class ApplicationUserConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> b)
    {
        b.Property(x => x.DisplayName).HasMaxLength(200).IsRequired();
    }
}

internal sealed class PackageConfiguration : IEntityTypeConfiguration<Package>
{
    public void Configure(EntityTypeBuilder<Package> b)
    {
        b.ToTable("Packages");
        b.HasKey(x => x.Id);
        b.Property(x => x.PackageId).HasMaxLength(18).IsRequired();
        b.HasIndex(x => x.PackageId).IsUnique();
        b.Property(x => x.Name).HasMaxLength(255).IsRequired();
        b.HasIndex(x => new { x.Name, x.Id });
        b.Property(x => x.DeveloperName).HasMaxLength(255).IsRequired();
        b.Property(x => x.DeveloperOrgId).HasMaxLength(18).IsRequired();
        b.Property(x => x.LatestVersion).HasMaxLength(32);
        b.HasOne(x => x.LeadManager).WithMany().HasForeignKey(x => x.LeadManagerId).OnDelete(DeleteBehavior.Restrict);
        b.Ignore(x => x.Defaults);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.MapAudit();
    }
}

internal sealed class PackageVersionConfiguration : IEntityTypeConfiguration<PackageVersion>
{
    public void Configure(EntityTypeBuilder<PackageVersion> b)
    {
        b.ToTable("PackageVersions");
        b.HasKey(x => x.Id);
        b.Property(x => x.VersionId).HasMaxLength(18).IsRequired();
        b.HasIndex(x => x.VersionId).IsUnique();
        b.Property(x => x.Name).HasMaxLength(255).IsRequired();
        b.Property(x => x.VersionNumber).HasMaxLength(32).IsRequired();
        b.HasOne(x => x.Package).WithMany(x => x.Versions).HasForeignKey(x => x.PackageKey).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.PackageKey, x.VersionSortKey });
        b.MapAudit();
    }
}

internal sealed class LicenseConfiguration : IEntityTypeConfiguration<License>
{
    public void Configure(EntityTypeBuilder<License> b)
    {
        b.ToTable("Licenses");
        b.HasKey(x => x.Id);
        b.Ignore(x => x.Name);
        b.Ignore(x => x.UsedLicensesShown);
        b.Ignore(x => x.IsEditable);
        b.Property(x => x.SubscriberOrgId).HasMaxLength(15).IsRequired();
        b.Property(x => x.OrgName).HasMaxLength(255).IsRequired();
        b.Property(x => x.Instance).HasMaxLength(64);
        b.Property(x => x.OrgEdition).HasMaxLength(64);
        b.Property(x => x.PackageVersionNumber).HasMaxLength(32).IsRequired();
        b.Property(x => x.Version).IsConcurrencyToken();

        b.HasOne(x => x.Package).WithMany().HasForeignKey(x => x.PackageKey).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.PackageVersion).WithMany().HasForeignKey(x => x.PackageVersionKey).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Lead).WithMany().HasForeignKey(x => x.LeadKey).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(x => x.Account).WithMany().HasForeignKey(x => x.AccountKey).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(x => x.Contact).WithMany().HasForeignKey(x => x.ContactKey).OnDelete(DeleteBehavior.Restrict);

        // At most one license per package and subscriber org; also serves the license check.
        b.HasIndex(x => new { x.PackageKey, x.SubscriberOrgId }).IsUnique();
        // List views: each filter and sort column with Id as the keyset tie-breaker.
        b.HasIndex(x => new { x.Status, x.Id });
        b.HasIndex(x => new { x.Status, x.ExpirationDate, x.Id });
        b.HasIndex(x => new { x.ExpirationDate, x.Id });
        b.HasIndex(x => new { x.InstallDate, x.Id });
        b.HasIndex(x => new { x.PackageVersionKey, x.Id });
        b.HasIndex(x => new { x.PackageKey, x.Id });
        b.HasIndex(x => new { x.PackageKey, x.Status, x.Id });
        b.HasIndex(x => new { x.Seats, x.Id });
        b.HasIndex(x => new { x.ReportedUsedLicenses, x.Id });
        b.HasIndex(x => new { x.OrgName, x.Id });
        b.HasIndex(x => new { x.SubscriberOrgId, x.Id });
        b.HasIndex(x => new { x.LeadKey, x.Id });
        b.HasIndex(x => new { x.AccountKey, x.Id });
        b.HasIndex(x => new { x.ContactKey, x.Id });
        // Dashboard: counts by status and seat sums per package, with or without sandbox and trial orgs, read from the index alone.
        b.HasIndex(x => new { x.PackageKey, x.Status, x.IsSandbox, x.OrgStatus, x.Seats, x.ReportedUsedLicenses });
        // Dashboard: renewals and trials ending, for one package.
        b.HasIndex(x => new { x.PackageKey, x.Status, x.ExpirationDate });
        b.MapAudit();
    }
}

internal sealed class LicenseFieldChangeConfiguration : IEntityTypeConfiguration<LicenseFieldChange>
{
    public void Configure(EntityTypeBuilder<LicenseFieldChange> b)
    {
        b.ToTable("LicenseFieldChanges");
        b.HasKey(x => x.Id);
        b.Property(x => x.ChangedBy).HasMaxLength(256).IsRequired();
        b.Property(x => x.Field).HasMaxLength(64).IsRequired();
        b.Property(x => x.OldValue).HasMaxLength(512);
        b.Property(x => x.NewValue).HasMaxLength(512);
        b.HasOne<License>().WithMany().HasForeignKey(x => x.LicenseKey).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.LicenseKey, x.Id });
        // Dashboard: status changes (Trial -> ...) per month.
        b.HasIndex(x => new { x.Field, x.ChangedAt });
    }
}

internal sealed class LeadConfiguration : IEntityTypeConfiguration<Lead>
{
    public void Configure(EntityTypeBuilder<Lead> b)
    {
        b.ToTable("Leads");
        b.HasKey(x => x.Id);
        b.Ignore(x => x.FullName);
        b.Property(x => x.FirstName).HasMaxLength(80);
        b.Property(x => x.LastName).HasMaxLength(80).IsRequired();
        b.Property(x => x.Company).HasMaxLength(255).IsRequired();
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Phone).HasMaxLength(40);
        b.Property(x => x.State).HasMaxLength(80);
        b.Property(x => x.Country).HasMaxLength(80);
        b.Property(x => x.LeadSource).HasMaxLength(64).IsRequired();
        b.HasOne(x => x.Owner).WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.ConvertedAccount).WithMany().HasForeignKey(x => x.ConvertedAccountKey).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.ConvertedContact).WithMany().HasForeignKey(x => x.ConvertedContactKey).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.LeadSource, x.Id });
        b.HasIndex(x => new { x.OwnerId, x.Id });
        b.HasIndex(x => new { x.IsConverted, x.Id });
        b.HasIndex(x => new { x.LastName, x.Id });
        b.HasIndex(x => new { x.Company, x.Id });
        b.HasIndex(x => new { x.CreatedAt, x.Id });
        b.HasIndex(x => x.Email);
        // Dashboard: leads from installs per owner, created this week / not converted.
        b.HasIndex(x => new { x.LeadSource, x.CreatedAt, x.OwnerId });
        b.HasIndex(x => new { x.LeadSource, x.IsConverted, x.OwnerId });
        b.MapAudit();
    }
}

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.ToTable("Accounts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(255).IsRequired();
        b.Property(x => x.Phone).HasMaxLength(40);
        b.Property(x => x.Website).HasMaxLength(255);
        b.Property(x => x.State).HasMaxLength(80);
        b.Property(x => x.Country).HasMaxLength(80);
        b.HasIndex(x => new { x.Name, x.Id });
        b.MapAudit();
    }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> b)
    {
        b.ToTable("Contacts");
        b.HasKey(x => x.Id);
        b.Ignore(x => x.FullName);
        b.Property(x => x.FirstName).HasMaxLength(80);
        b.Property(x => x.LastName).HasMaxLength(80).IsRequired();
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Phone).HasMaxLength(40);
        b.Property(x => x.Title).HasMaxLength(128);
        b.HasOne(x => x.Account).WithMany(x => x.Contacts).HasForeignKey(x => x.AccountKey).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.AccountKey, x.Id });
        b.HasIndex(x => new { x.LastName, x.Id });
        b.HasIndex(x => x.Email);
        b.MapAudit();
    }
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> b)
    {
        b.ToTable("SavedViews");
        b.HasKey(x => x.Id);
        b.Property(x => x.OwnerId).HasMaxLength(450).IsRequired();
        b.Property(x => x.List).HasMaxLength(32).IsRequired();
        b.Property(x => x.Name).HasMaxLength(100).IsRequired();
        b.Property(x => x.Query).HasMaxLength(2000).IsRequired();
        b.HasOne<ApplicationUser>().WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.OwnerId, x.List, x.Name }).IsUnique();
    }
}
