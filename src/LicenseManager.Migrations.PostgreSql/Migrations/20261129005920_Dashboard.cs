using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseManager.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class Dashboard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Licenses_PackageKey_Status_ExpirationDate",
                table: "Licenses",
                columns: new[] { "PackageKey", "Status", "ExpirationDate" });

            migrationBuilder.CreateIndex(
                name: "IX_Licenses_PackageKey_Status_IsSandbox_OrgStatus_Seats_Report~",
                table: "Licenses",
                columns: new[] { "PackageKey", "Status", "IsSandbox", "OrgStatus", "Seats", "ReportedUsedLicenses" });

            migrationBuilder.CreateIndex(
                name: "IX_LicenseFieldChanges_Field_ChangedAt",
                table: "LicenseFieldChanges",
                columns: new[] { "Field", "ChangedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Leads_LeadSource_CreatedAt_OwnerId",
                table: "Leads",
                columns: new[] { "LeadSource", "CreatedAt", "OwnerId" });

            migrationBuilder.CreateIndex(
                name: "IX_Leads_LeadSource_IsConverted_OwnerId",
                table: "Leads",
                columns: new[] { "LeadSource", "IsConverted", "OwnerId" });

            migrationBuilder.CreateIndex(
                name: "IX_InstallEvents_PackageKey_Type_OccurredAt",
                table: "InstallEvents",
                columns: new[] { "PackageKey", "Type", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_InstallEvents_Type_OccurredAt",
                table: "InstallEvents",
                columns: new[] { "Type", "OccurredAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Licenses_PackageKey_Status_ExpirationDate",
                table: "Licenses");

            migrationBuilder.DropIndex(
                name: "IX_Licenses_PackageKey_Status_IsSandbox_OrgStatus_Seats_Report~",
                table: "Licenses");

            migrationBuilder.DropIndex(
                name: "IX_LicenseFieldChanges_Field_ChangedAt",
                table: "LicenseFieldChanges");

            migrationBuilder.DropIndex(
                name: "IX_Leads_LeadSource_CreatedAt_OwnerId",
                table: "Leads");

            migrationBuilder.DropIndex(
                name: "IX_Leads_LeadSource_IsConverted_OwnerId",
                table: "Leads");

            migrationBuilder.DropIndex(
                name: "IX_InstallEvents_PackageKey_Type_OccurredAt",
                table: "InstallEvents");

            migrationBuilder.DropIndex(
                name: "IX_InstallEvents_Type_OccurredAt",
                table: "InstallEvents");
        }
    }
}
