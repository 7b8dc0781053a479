using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Triage.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VerdictFromRunningImage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "FromRunningImage",
                table: "FindingVerdicts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Verdicts stored before the column: exactly the test the refresh after an inventory ran until now, on each
            // provider's LIKE, so an upgraded database re-judges the same artifacts (ADR 112). Before the index is built.
            migrationBuilder.Sql(
                "UPDATE \"FindingVerdicts\" SET \"FromRunningImage\" = TRUE " +
                "WHERE \"SourcesJson\" LIKE '%running-image-packages:%' OR \"NotesJson\" LIKE '%running image%';");

            migrationBuilder.CreateIndex(
                name: "IX_FindingVerdicts_FromRunningImage",
                table: "FindingVerdicts",
                columns: new[] { "FindingId", "FromRunningImage" },
                filter: "\"FromRunningImage\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_FindingVerdicts_FromRunningImage",
                table: "FindingVerdicts");

            migrationBuilder.DropColumn(
                name: "FromRunningImage",
                table: "FindingVerdicts");
        }
    }
}
