using Microsoft.EntityFrameworkCore.Migrations;
using Triage.Data.Rollups;

#nullable disable

namespace Triage.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PriorityRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PriorityRollups",
                columns: table => new
                {
                    ArtifactId = table.Column<long>(type: "INTEGER", nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PriorityRollups", x => new { x.ArtifactId, x.Priority });
                    table.ForeignKey(
                        name: "FK_PriorityRollups_Artifacts_ArtifactId",
                        column: x => x.ArtifactId,
                        principalTable: "Artifacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Backfill: the statements the importer's hook runs per image, over every image (ADR 090).
            foreach (var sql in PriorityRollupSql.RebuildSql("1 = 1")) migrationBuilder.Sql(sql + ";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PriorityRollups");
        }
    }
}
