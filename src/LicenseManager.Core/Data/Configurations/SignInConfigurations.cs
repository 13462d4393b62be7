using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseManager.Core.Data.Configurations;

internal sealed class SignInLockoutConfiguration : IEntityTypeConfiguration<SignInLockout>
{
    public void Configure(EntityTypeBuilder<SignInLockout> b)
    {
        b.ToTable("SignInLockouts");
        b.HasKey(x => new { x.NormalizedEmail, x.Scope });
        // Identity's NormalizedEmail is 256 characters; an address (IPv6 with zone) fits in 64.
        b.Property(x => x.NormalizedEmail).HasMaxLength(256);
        b.Property(x => x.Scope).HasMaxLength(64);
        b.Property(x => x.Version).IsConcurrencyToken();
        // Expired rows are swept by age.
        b.HasIndex(x => x.WindowStartedAt);
    }
}
