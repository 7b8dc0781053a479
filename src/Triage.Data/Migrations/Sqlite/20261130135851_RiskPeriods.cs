using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Triage.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RiskPeriods : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "VerdictSince",
                table: "FindingVerdicts",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "PrioritySince",
                table: "FindingRisks",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // What is stored took effect, as far as anyone knows, when it was computed (ADR 108).
            migrationBuilder.Sql("UPDATE \"FindingVerdicts\" SET \"VerdictSince\" = \"ComputedAt\";");
            migrationBuilder.Sql("UPDATE \"FindingRisks\" SET \"PrioritySince\" = \"ComputedAt\";");
            // Verdict changes are recorded from here on. Before, a verdict computed after a moment hides what the finding had
            // then; the newest stored verdict bounds that (none stored: nothing is hidden, and no row is written).
            migrationBuilder.Sql(
                "INSERT INTO \"AppSettings\" (\"Key\", \"Value\", \"UpdatedAt\") " +
                "SELECT 'metrics.verdicts_recorded_since', m.\"At\", m.\"At\" FROM (SELECT MAX(\"ComputedAt\") AS \"At\" FROM \"FindingVerdicts\") m " +
                "WHERE m.\"At\" IS NOT NULL;");

            migrationBuilder.CreateTable(
                name: "FindingRiskPeriods",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FindingId = table.Column<long>(type: "INTEGER", nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: true),
                    Verdict = table.Column<int>(type: "INTEGER", nullable: true),
                    Since = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Until = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FindingRiskPeriods", x => x.Id);
                    table.CheckConstraint("CK_FindingRiskPeriods_OneValue", "(\"Priority\" IS NULL) <> (\"Verdict\" IS NULL)");
                    table.ForeignKey(
                        name: "FK_FindingRiskPeriods_Findings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Findings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FindingRiskPeriods_FindingId",
                table: "FindingRiskPeriods",
                column: "FindingId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DELETE FROM \"AppSettings\" WHERE \"Key\" = 'metrics.verdicts_recorded_since';");

            migrationBuilder.DropTable(
                name: "FindingRiskPeriods");

            migrationBuilder.DropColumn(
                name: "VerdictSince",
                table: "FindingVerdicts");

            migrationBuilder.DropColumn(
                name: "PrioritySince",
                table: "FindingRisks");
        }
    }
}
