using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseManager.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CaseSensitiveIdsOnSqlServer : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
