using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseManager.Core.Data.Configurations;

internal sealed class DashboardSnapshotConfiguration : IEntityTypeConfiguration<DashboardSnapshot>
{
    public void Configure(EntityTypeBuilder<DashboardSnapshot> b)
    {
        b.ToTable("DashboardSnapshots");
        b.HasKey(x => x.Scope);
        b.Property(x => x.Scope).HasMaxLength(64);
        b.Property(x => x.Figures).IsRequired();
    }
}
