using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Triage.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Metrics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MetricsProblems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RepositoryId = table.Column<long>(type: "bigint", nullable: false),
                    GroupId = table.Column<long>(type: "bigint", nullable: false),
                    VulnerabilityId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PackageType = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    PackageNamespace = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    PackageName = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Severity = table.Column<int>(type: "integer", nullable: false),
                    OpenedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricsProblems", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MetricsState",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    LedgerYear = table.Column<int>(type: "integer", nullable: true),
                    LedgerWeek = table.Column<int>(type: "integer", nullable: true),
                    LastRunAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricsState", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WeeklySnapshots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    Week = table.Column<int>(type: "integer", nullable: false),
                    Scope = table.Column<int>(type: "integer", nullable: false),
                    ScopeId = table.Column<long>(type: "bigint", nullable: false),
                    ScopeName = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    TeamId = table.Column<long>(type: "bigint", nullable: true),
                    Complete = table.Column<bool>(type: "boolean", nullable: false),
                    AsOf = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Images = table.Column<int>(type: "integer", nullable: false),
                    ImagesInProduction = table.Column<int>(type: "integer", nullable: true),
                    Packages = table.Column<int>(type: "integer", nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: true),
                    ActiveFindings = table.Column<int>(type: "integer", nullable: false),
                    OpenCritical = table.Column<int>(type: "integer", nullable: false),
                    OpenHigh = table.Column<int>(type: "integer", nullable: false),
                    OpenMedium = table.Column<int>(type: "integer", nullable: false),
                    OpenLow = table.Column<int>(type: "integer", nullable: false),
                    OpenUnknown = table.Column<int>(type: "integer", nullable: false),
                    OpenFixable = table.Column<int>(type: "integer", nullable: false),
                    OpenAct = table.Column<int>(type: "integer", nullable: true),
                    OpenAttend = table.Column<int>(type: "integer", nullable: true),
                    OpenTrackStar = table.Column<int>(type: "integer", nullable: true),
                    OpenTrack = table.Column<int>(type: "integer", nullable: true),
                    OpenReachable = table.Column<int>(type: "integer", nullable: true),
                    OpenLoaded = table.Column<int>(type: "integer", nullable: true),
                    OpenKev = table.Column<int>(type: "integer", nullable: true),
                    Decided = table.Column<int>(type: "integer", nullable: false),
                    NotAffected = table.Column<int>(type: "integer", nullable: false),
                    SlaCritical = table.Column<int>(type: "integer", nullable: false),
                    SlaHigh = table.Column<int>(type: "integer", nullable: false),
                    SlaMedium = table.Column<int>(type: "integer", nullable: false),
                    SlaLow = table.Column<int>(type: "integer", nullable: false),
                    SlaUnknown = table.Column<int>(type: "integer", nullable: false),
                    RemediatedCritical = table.Column<int>(type: "integer", nullable: false),
                    RemediatedHigh = table.Column<int>(type: "integer", nullable: false),
                    RemediatedMedium = table.Column<int>(type: "integer", nullable: false),
                    RemediatedLow = table.Column<int>(type: "integer", nullable: false),
                    RemediatedUnknown = table.Column<int>(type: "integer", nullable: false),
                    RemediationDaysCritical = table.Column<double>(type: "double precision", nullable: false),
                    RemediationDaysHigh = table.Column<double>(type: "double precision", nullable: false),
                    RemediationDaysMedium = table.Column<double>(type: "double precision", nullable: false),
                    RemediationDaysLow = table.Column<double>(type: "double precision", nullable: false),
                    RemediationDaysUnknown = table.Column<double>(type: "double precision", nullable: false),
                    OpenAtStart = table.Column<int>(type: "integer", nullable: false),
                    RemovedWithPackage = table.Column<int>(type: "integer", nullable: false),
                    FixedByUpgrade = table.Column<int>(type: "integer", nullable: false),
                    SuppressedByDecision = table.Column<int>(type: "integer", nullable: false),
                    NewlyDisclosed = table.Column<int>(type: "integer", nullable: false),
                    IntroducedByPackage = table.Column<int>(type: "integer", nullable: false),
                    DecisionsLifted = table.Column<int>(type: "integer", nullable: false),
                    Withdrawn = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WeeklySnapshots", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WeeklySnapshots_Scope_ScopeId_Year_Week",
                table: "WeeklySnapshots",
                columns: new[] { "Scope", "ScopeId", "Year", "Week" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WeeklySnapshots_Year_Week_Scope",
                table: "WeeklySnapshots",
                columns: new[] { "Year", "Week", "Scope" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MetricsProblems");

            migrationBuilder.DropTable(
                name: "MetricsState");

            migrationBuilder.DropTable(
                name: "WeeklySnapshots");
        }
    }
}
