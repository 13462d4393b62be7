using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseManager.Core.Data.Configurations;

internal sealed class InstallEventConfiguration : IEntityTypeConfiguration<InstallEvent>
{
    public void Configure(EntityTypeBuilder<InstallEvent> b)
    {
        b.ToTable("InstallEvents");
        b.HasKey(x => x.Id);
        b.Property(x => x.EventId).HasMaxLength(255).IsRequired();
        b.HasIndex(x => x.EventId).IsUnique();
        b.Property(x => x.Payload).IsRequired();
        b.Property(x => x.PackageVersionId).HasMaxLength(18);
        b.Property(x => x.OrgId).HasMaxLength(15);
        b.Property(x => x.HoldCode).HasMaxLength(64);
        b.Property(x => x.HoldReason).HasMaxLength(1024);
        b.HasOne(x => x.Package).WithMany().HasForeignKey(x => x.PackageKey).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(x => x.License).WithMany().HasForeignKey(x => x.LicenseKey).OnDelete(DeleteBehavior.SetNull);
        // The processor's queue, the troubleshooting page, and the refresh replay.
        b.HasIndex(x => new { x.State, x.Id });
        b.HasIndex(x => new { x.PackageKey, x.State, x.Id });
        b.HasIndex(x => new { x.PackageVersionId, x.State });
        b.HasIndex(x => new { x.PackageKey, x.OrgId, x.OccurredAt });
        b.HasIndex(x => new { x.OrgId, x.State });
        b.HasIndex(x => new { x.ReceivedAt, x.Id });
        // Dashboard: installs and uninstalls per day, overall and per package.
        b.HasIndex(x => new { x.Type, x.OccurredAt });
        b.HasIndex(x => new { x.PackageKey, x.Type, x.OccurredAt });
    }
}

internal sealed class LicenseRefreshConfiguration : IEntityTypeConfiguration<LicenseRefresh>
{
    public void Configure(EntityTypeBuilder<LicenseRefresh> b)
    {
        b.ToTable("LicenseRefreshes");
        b.HasKey(x => x.Id);
        b.Property(x => x.RequestedBy).HasMaxLength(256).IsRequired();
        b.Property(x => x.Error).HasMaxLength(2048);
        b.HasOne<Package>().WithMany().HasForeignKey(x => x.PackageKey).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.PackageKey, x.Id });
    }
}

internal sealed class JobLeaseConfiguration : IEntityTypeConfiguration<JobLease>
{
    public void Configure(EntityTypeBuilder<JobLease> b)
    {
        b.ToTable("JobLeases");
        b.HasKey(x => x.Name);
        b.Property(x => x.Name).HasMaxLength(64);
        b.Property(x => x.Owner).HasMaxLength(128).IsRequired();
    }
}
