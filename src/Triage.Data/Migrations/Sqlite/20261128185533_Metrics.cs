using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Triage.Data.Migrations.Sqlite
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryId = table.Column<long>(type: "INTEGER", nullable: false),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    VulnerabilityId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PackageType = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    PackageNamespace = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    PackageName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricsProblems", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MetricsState",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    LedgerYear = table.Column<int>(type: "INTEGER", nullable: true),
                    LedgerWeek = table.Column<int>(type: "INTEGER", nullable: true),
                    LastRunAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricsState", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WeeklySnapshots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    Week = table.Column<int>(type: "INTEGER", nullable: false),
                    Scope = table.Column<int>(type: "INTEGER", nullable: false),
                    ScopeId = table.Column<long>(type: "INTEGER", nullable: false),
                    ScopeName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    TeamId = table.Column<long>(type: "INTEGER", nullable: true),
                    Complete = table.Column<bool>(type: "INTEGER", nullable: false),
                    AsOf = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Images = table.Column<int>(type: "INTEGER", nullable: false),
                    ImagesInProduction = table.Column<int>(type: "INTEGER", nullable: true),
                    Packages = table.Column<int>(type: "INTEGER", nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: true),
                    ActiveFindings = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenCritical = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenHigh = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenMedium = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenLow = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenUnknown = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenFixable = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenAct = table.Column<int>(type: "INTEGER", nullable: true),
                    OpenAttend = table.Column<int>(type: "INTEGER", nullable: true),
                    OpenTrackStar = table.Column<int>(type: "INTEGER", nullable: true),
                    OpenTrack = table.Column<int>(type: "INTEGER", nullable: true),
                    OpenReachable = table.Column<int>(type: "INTEGER", nullable: true),
                    OpenLoaded = table.Column<int>(type: "INTEGER", nullable: true),
                    OpenKev = table.Column<int>(type: "INTEGER", nullable: true),
                    Decided = table.Column<int>(type: "INTEGER", nullable: false),
                    NotAffected = table.Column<int>(type: "INTEGER", nullable: false),
                    SlaCritical = table.Column<int>(type: "INTEGER", nullable: false),
                    SlaHigh = table.Column<int>(type: "INTEGER", nullable: false),
                    SlaMedium = table.Column<int>(type: "INTEGER", nullable: false),
                    SlaLow = table.Column<int>(type: "INTEGER", nullable: false),
                    SlaUnknown = table.Column<int>(type: "INTEGER", nullable: false),
                    RemediatedCritical = table.Column<int>(type: "INTEGER", nullable: false),
                    RemediatedHigh = table.Column<int>(type: "INTEGER", nullable: false),
                    RemediatedMedium = table.Column<int>(type: "INTEGER", nullable: false),
                    RemediatedLow = table.Column<int>(type: "INTEGER", nullable: false),
                    RemediatedUnknown = table.Column<int>(type: "INTEGER", nullable: false),
                    RemediationDaysCritical = table.Column<double>(type: "REAL", nullable: false),
                    RemediationDaysHigh = table.Column<double>(type: "REAL", nullable: false),
                    RemediationDaysMedium = table.Column<double>(type: "REAL", nullable: false),
                    RemediationDaysLow = table.Column<double>(type: "REAL", nullable: false),
                    RemediationDaysUnknown = table.Column<double>(type: "REAL", nullable: false),
                    OpenAtStart = table.Column<int>(type: "INTEGER", nullable: false),
                    RemovedWithPackage = table.Column<int>(type: "INTEGER", nullable: false),
                    FixedByUpgrade = table.Column<int>(type: "INTEGER", nullable: false),
                    SuppressedByDecision = table.Column<int>(type: "INTEGER", nullable: false),
                    NewlyDisclosed = table.Column<int>(type: "INTEGER", nullable: false),
                    IntroducedByPackage = table.Column<int>(type: "INTEGER", nullable: false),
                    DecisionsLifted = table.Column<int>(type: "INTEGER", nullable: false),
                    Withdrawn = table.Column<int>(type: "INTEGER", nullable: false)
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
