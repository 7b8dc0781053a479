using Microsoft.EntityFrameworkCore.Migrations;
using Triage.Data.Rollups;

#nullable disable

namespace Triage.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class QueryScale : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Findings_Active_Severity",
                table: "Findings");

            migrationBuilder.AddColumn<string>(
                name: "PackageName",
                table: "Findings",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "ScannerMask",
                table: "Findings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "VulnerabilityId",
                table: "Findings",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "FindingRollups",
                columns: table => new
                {
                    ArtifactId = table.Column<long>(type: "INTEGER", nullable: false),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    FixAvailable = table.Column<bool>(type: "INTEGER", nullable: false),
                    ScannerMask = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FindingRollups", x => new { x.ArtifactId, x.Severity, x.FixAvailable, x.ScannerMask });
                    table.ForeignKey(
                        name: "FK_FindingRollups_Artifacts_ArtifactId",
                        column: x => x.ArtifactId,
                        principalTable: "Artifacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Backfill before the indexes are built: the same statements the importer runs per artifact, unscoped.
            migrationBuilder.Sql(FindingKeys.RefreshKeysSql("1 = 1") + ";");
            foreach (var sql in FindingKeys.RebuildRollupsSql("1 = 1")) migrationBuilder.Sql(sql + ";");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_Open_GroupId_Severity_FixAvailable_ArtifactId",
                table: "Findings",
                columns: new[] { "GroupId", "Severity", "FixAvailable", "ArtifactId", "Active" },
                filter: "\"Active\"");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_Open_PackageName_Id",
                table: "Findings",
                columns: new[] { "PackageName", "Id" },
                filter: "\"Active\"");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_Open_Severity_Id",
                table: "Findings",
                columns: new[] { "Severity", "Id" },
                descending: new[] { true, false },
                filter: "\"Active\"");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_Open_VulnerabilityId_Id",
                table: "Findings",
                columns: new[] { "VulnerabilityId", "Id" },
                filter: "\"Active\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FindingRollups");

            migrationBuilder.DropIndex(
                name: "IX_Findings_Open_GroupId_Severity_FixAvailable_ArtifactId",
                table: "Findings");

            migrationBuilder.DropIndex(
                name: "IX_Findings_Open_PackageName_Id",
                table: "Findings");

            migrationBuilder.DropIndex(
                name: "IX_Findings_Open_Severity_Id",
                table: "Findings");

            migrationBuilder.DropIndex(
                name: "IX_Findings_Open_VulnerabilityId_Id",
                table: "Findings");

            migrationBuilder.DropColumn(
                name: "PackageName",
                table: "Findings");

            migrationBuilder.DropColumn(
                name: "ScannerMask",
                table: "Findings");

            migrationBuilder.DropColumn(
                name: "VulnerabilityId",
                table: "Findings");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_Active_Severity",
                table: "Findings",
                columns: new[] { "Active", "Severity" });
        }
    }
}
