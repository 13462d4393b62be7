using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseManager.Core.Data.Configurations;

internal sealed class EmailTemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> b)
    {
        b.ToTable("EmailTemplates");
        b.HasKey(x => x.Id);
        b.Property(x => x.DefaultKey).HasMaxLength(64);
        b.HasIndex(x => x.DefaultKey).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200).IsRequired();
        b.Property(x => x.Subject).HasMaxLength(500).IsRequired();
        b.Property(x => x.Body).HasMaxLength(20000).IsRequired();
        b.MapAudit();
    }
}

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> b)
    {
        b.ToTable("AlertRules");
        b.HasKey(x => x.Id);
        b.Ignore(x => x.Roles);
        b.Property(x => x.DefaultKey).HasMaxLength(64);
        b.HasIndex(x => x.DefaultKey).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200).IsRequired();
        b.Property(x => x.RecipientRoles).HasMaxLength(512).IsRequired();
        b.HasOne(x => x.Package).WithMany().HasForeignKey(x => x.PackageKey).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Template).WithMany().HasForeignKey(x => x.TemplateKey).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Recipients).WithOne().HasForeignKey(x => x.RuleKey).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.Trigger, x.IsEnabled });
        b.MapAudit();
    }
}

internal sealed class AlertRuleRecipientConfiguration : IEntityTypeConfiguration<AlertRuleRecipient>
{
    public void Configure(EntityTypeBuilder<AlertRuleRecipient> b)
    {
        b.ToTable("AlertRuleRecipients");
        b.HasKey(x => x.Id);
        b.Property(x => x.UserId).HasMaxLength(450).IsRequired();
        b.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.RuleKey, x.UserId }).IsUnique();
    }
}

internal sealed class LicenseStatusChangeConfiguration : IEntityTypeConfiguration<LicenseStatusChange>
{
    public void Configure(EntityTypeBuilder<LicenseStatusChange> b)
    {
        // A queue, not a history (License field history keeps that): rows are deleted once matched to rules.
        b.ToTable("LicenseStatusChanges");
        b.HasKey(x => x.Id);
    }
}

internal sealed class EmailMessageConfiguration : IEntityTypeConfiguration<EmailMessage>
{
    public void Configure(EntityTypeBuilder<EmailMessage> b)
    {
        b.ToTable("EmailMessages");
        b.HasKey(x => x.Id);
        b.Property(x => x.OccurrenceKey).HasMaxLength(64).IsRequired();
        b.Property(x => x.Recipients).HasMaxLength(4000);
        b.Property(x => x.Subject).HasMaxLength(1000);
        b.Property(x => x.Body).HasMaxLength(40000);
        b.Property(x => x.LastError).HasMaxLength(2048);
        b.Property(x => x.DeliveredVia).HasMaxLength(512);
        b.Property(x => x.ClaimedBy).HasMaxLength(128);
        b.HasOne(x => x.Rule).WithMany().HasForeignKey(x => x.RuleKey).OnDelete(DeleteBehavior.Restrict);
        // At most once per (rule, license, occurrence): a second scan or a replayed trigger inserts nothing.
        b.HasIndex(x => new { x.RuleKey, x.LicenseKey, x.OccurrenceKey }).IsUnique();
        // The sender's queue and the email log's status filter.
        b.HasIndex(x => new { x.Status, x.NextAttemptAt, x.Id });
        b.HasIndex(x => new { x.Status, x.Id });
        b.HasIndex(x => new { x.LicenseKey, x.Id });
        b.MapAudit();
    }
}

internal sealed class EmailDeliveryAttemptConfiguration : IEntityTypeConfiguration<EmailDeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<EmailDeliveryAttempt> b)
    {
        b.ToTable("EmailDeliveryAttempts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Error).HasMaxLength(2048);
        b.HasOne<EmailMessage>().WithMany().HasForeignKey(x => x.MessageKey).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.MessageKey, x.Id });
    }
}
