using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Triage.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InventoryCoverage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Coverage",
                table: "RuntimeSnapshots",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "CoverageScope",
                table: "RuntimeSnapshots",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "CoverageStated",
                table: "RuntimeSnapshots",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Coverage",
                table: "RuntimeEvidenceFiles",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Coverage",
                table: "RuntimeSnapshots");

            migrationBuilder.DropColumn(
                name: "CoverageScope",
                table: "RuntimeSnapshots");

            migrationBuilder.DropColumn(
                name: "CoverageStated",
                table: "RuntimeSnapshots");

            migrationBuilder.DropColumn(
                name: "Coverage",
                table: "RuntimeEvidenceFiles");
        }
    }
}
