using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseManager.Core.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("ApiKeys");
        b.HasKey(x => x.Id);
        b.Ignore(x => x.IsRevoked);
        b.Ignore(x => x.ScopeList);
        b.Ignore(x => x.PackageIdList);
        b.Property(x => x.Name).HasMaxLength(100).IsRequired();
        b.Property(x => x.Prefix).HasMaxLength(16).IsRequired();
        b.HasIndex(x => x.Prefix).IsUnique();
        b.Property(x => x.SecretHash).HasMaxLength(32).IsRequired();
        b.Property(x => x.Scopes).HasMaxLength(64).IsRequired();
        b.Property(x => x.PackageIds).HasMaxLength(2000);
        b.Property(x => x.CreatedBy).HasMaxLength(256).IsRequired();
        b.Property(x => x.RevokedBy).HasMaxLength(256);
    }
}

internal sealed class SeatAssignmentConfiguration : IEntityTypeConfiguration<SeatAssignment>
{
    public void Configure(EntityTypeBuilder<SeatAssignment> b)
    {
        b.ToTable("SeatAssignments");
        b.HasKey(x => x.Id);
        b.Property(x => x.SubscriberUserId).HasMaxLength(64).IsRequired();
        b.Property(x => x.AssignedBy).HasMaxLength(256).IsRequired();
        b.HasOne<License>().WithMany().HasForeignKey(x => x.LicenseKey).OnDelete(DeleteBehavior.Cascade);
        // One seat per user and license; also serves "does this user hold a seat" on the check path.
        b.HasIndex(x => new { x.LicenseKey, x.SubscriberUserId }).IsUnique();
    }
}

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> b)
    {
        b.ToTable("SigningKeys");
        b.HasKey(x => x.Id);
        b.Property(x => x.KeyId).HasMaxLength(64).IsRequired();
        b.HasIndex(x => x.KeyId).IsUnique();
        b.Property(x => x.PublicX).HasMaxLength(64).IsRequired();
        b.Property(x => x.PublicY).HasMaxLength(64).IsRequired();
        b.Property(x => x.ProtectedPrivateKey).HasMaxLength(4000).IsRequired();
    }
}
