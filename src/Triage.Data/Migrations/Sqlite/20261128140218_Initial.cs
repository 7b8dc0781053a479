using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Triage.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AliasAssertions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FromId = table.Column<string>(type: "TEXT", nullable: false),
                    ToId = table.Column<string>(type: "TEXT", nullable: false),
                    Relation = table.Column<int>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", nullable: false),
                    Applied = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AliasAssertions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AliasGroups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CanonicalId = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AliasGroups", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Packages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    Namespace = table.Column<string>(type: "TEXT", nullable: true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<string>(type: "TEXT", nullable: false),
                    Purl = table.Column<string>(type: "TEXT", nullable: true),
                    SourceName = table.Column<string>(type: "TEXT", nullable: true),
                    SourceVersion = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Packages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RawReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Sha256 = table.Column<string>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", nullable: false),
                    Scanner = table.Column<string>(type: "TEXT", nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    ContentEncoding = table.Column<string>(type: "TEXT", nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ImportedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RawReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Repositories",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    TeamId = table.Column<long>(type: "INTEGER", nullable: true),
                    ReplacesRepositoryId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Repositories", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Vulnerabilities",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VulnId = table.Column<string>(type: "TEXT", nullable: false),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: true),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    Cwes = table.Column<string>(type: "TEXT", nullable: false),
                    CvssJson = table.Column<string>(type: "TEXT", nullable: true),
                    SeverityBySourceJson = table.Column<string>(type: "TEXT", nullable: true),
                    References = table.Column<string>(type: "TEXT", nullable: false),
                    PrimaryUrl = table.Column<string>(type: "TEXT", nullable: true),
                    PublishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ModifiedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Vulnerabilities", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Vulnerabilities_AliasGroups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "AliasGroups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Artifacts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryId = table.Column<long>(type: "INTEGER", nullable: false),
                    Digest = table.Column<string>(type: "TEXT", nullable: true),
                    ImageId = table.Column<string>(type: "TEXT", nullable: true),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    OsFamily = table.Column<string>(type: "TEXT", nullable: true),
                    OsName = table.Column<string>(type: "TEXT", nullable: true),
                    BaseImage = table.Column<string>(type: "TEXT", nullable: true),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: true),
                    PackageCount = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstSeen = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeen = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Artifacts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Artifacts_Repositories_RepositoryId",
                        column: x => x.RepositoryId,
                        principalTable: "Repositories",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ArtifactPackages",
                columns: table => new
                {
                    ArtifactId = table.Column<long>(type: "INTEGER", nullable: false),
                    PackageId = table.Column<long>(type: "INTEGER", nullable: false),
                    Layer = table.Column<string>(type: "TEXT", nullable: true),
                    Paths = table.Column<string>(type: "TEXT", nullable: false),
                    FirstSeen = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeen = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArtifactPackages", x => new { x.ArtifactId, x.PackageId });
                    table.ForeignKey(
                        name: "FK_ArtifactPackages_Artifacts_ArtifactId",
                        column: x => x.ArtifactId,
                        principalTable: "Artifacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ArtifactPackages_Packages_PackageId",
                        column: x => x.PackageId,
                        principalTable: "Packages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ArtifactId = table.Column<long>(type: "INTEGER", nullable: false),
                    PackageId = table.Column<long>(type: "INTEGER", nullable: false),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    FixedVersions = table.Column<string>(type: "TEXT", nullable: false),
                    FixAvailable = table.Column<bool>(type: "INTEGER", nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    FirstSeen = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeen = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Findings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Findings_AliasGroups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "AliasGroups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Findings_Artifacts_ArtifactId",
                        column: x => x.ArtifactId,
                        principalTable: "Artifacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Findings_Packages_PackageId",
                        column: x => x.PackageId,
                        principalTable: "Packages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Scans",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ArtifactId = table.Column<long>(type: "INTEGER", nullable: false),
                    RawReportId = table.Column<long>(type: "INTEGER", nullable: false),
                    Scanner = table.Column<string>(type: "TEXT", nullable: false),
                    ScannerVersion = table.Column<string>(type: "TEXT", nullable: true),
                    DatabaseInfo = table.Column<string>(type: "TEXT", nullable: true),
                    ReportCreatedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ImportedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Target = table.Column<string>(type: "TEXT", nullable: true),
                    ObservationCount = table.Column<int>(type: "INTEGER", nullable: false),
                    FindingCount = table.Column<int>(type: "INTEGER", nullable: false),
                    NewFindingCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<string>(type: "TEXT", nullable: true),
                    ImportedBy = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Scans", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Scans_Artifacts_ArtifactId",
                        column: x => x.ArtifactId,
                        principalTable: "Artifacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Scans_RawReports_RawReportId",
                        column: x => x.RawReportId,
                        principalTable: "RawReports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Observations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FindingId = table.Column<long>(type: "INTEGER", nullable: false),
                    ScanId = table.Column<long>(type: "INTEGER", nullable: false),
                    Scanner = table.Column<string>(type: "TEXT", nullable: false),
                    RawVulnId = table.Column<string>(type: "TEXT", nullable: false),
                    RawPackageName = table.Column<string>(type: "TEXT", nullable: true),
                    RawPackageVersion = table.Column<string>(type: "TEXT", nullable: true),
                    Purl = table.Column<string>(type: "TEXT", nullable: true),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    SeveritySource = table.Column<string>(type: "TEXT", nullable: true),
                    CvssJson = table.Column<string>(type: "TEXT", nullable: true),
                    FixedVersions = table.Column<string>(type: "TEXT", nullable: false),
                    FixState = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: true),
                    PathsJson = table.Column<string>(type: "TEXT", nullable: true),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    FirstSeen = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeen = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Observations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Observations_Findings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Findings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Observations_Scans_ScanId",
                        column: x => x.ScanId,
                        principalTable: "Scans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AliasAssertions_FromId_ToId_Relation_Source",
                table: "AliasAssertions",
                columns: new[] { "FromId", "ToId", "Relation", "Source" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AliasAssertions_ToId",
                table: "AliasAssertions",
                column: "ToId");

            migrationBuilder.CreateIndex(
                name: "IX_AliasGroups_CanonicalId",
                table: "AliasGroups",
                column: "CanonicalId");

            migrationBuilder.CreateIndex(
                name: "IX_ArtifactPackages_PackageId",
                table: "ArtifactPackages",
                column: "PackageId");

            migrationBuilder.CreateIndex(
                name: "IX_Artifacts_Digest",
                table: "Artifacts",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_Artifacts_ImageId",
                table: "Artifacts",
                column: "ImageId");

            migrationBuilder.CreateIndex(
                name: "IX_Artifacts_RepositoryId_Digest",
                table: "Artifacts",
                columns: new[] { "RepositoryId", "Digest" });

            migrationBuilder.CreateIndex(
                name: "IX_Findings_Active_Severity",
                table: "Findings",
                columns: new[] { "Active", "Severity" });

            migrationBuilder.CreateIndex(
                name: "IX_Findings_ArtifactId_PackageId_GroupId",
                table: "Findings",
                columns: new[] { "ArtifactId", "PackageId", "GroupId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Findings_GroupId",
                table: "Findings",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_PackageId",
                table: "Findings",
                column: "PackageId");

            migrationBuilder.CreateIndex(
                name: "IX_Observations_FindingId_Scanner_RawVulnId",
                table: "Observations",
                columns: new[] { "FindingId", "Scanner", "RawVulnId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Observations_ScanId",
                table: "Observations",
                column: "ScanId");

            migrationBuilder.CreateIndex(
                name: "IX_Packages_Key",
                table: "Packages",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Packages_SourceName",
                table: "Packages",
                column: "SourceName");

            migrationBuilder.CreateIndex(
                name: "IX_Packages_Type_Name",
                table: "Packages",
                columns: new[] { "Type", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_RawReports_Sha256",
                table: "RawReports",
                column: "Sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Repositories_Name",
                table: "Repositories",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Repositories_TeamId",
                table: "Repositories",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_Scans_ArtifactId_Scanner",
                table: "Scans",
                columns: new[] { "ArtifactId", "Scanner" });

            migrationBuilder.CreateIndex(
                name: "IX_Scans_ImportedAt",
                table: "Scans",
                column: "ImportedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Scans_RawReportId",
                table: "Scans",
                column: "RawReportId");

            migrationBuilder.CreateIndex(
                name: "IX_Vulnerabilities_GroupId",
                table: "Vulnerabilities",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_Vulnerabilities_VulnId",
                table: "Vulnerabilities",
                column: "VulnId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AliasAssertions");

            migrationBuilder.DropTable(
                name: "ArtifactPackages");

            migrationBuilder.DropTable(
                name: "Observations");

            migrationBuilder.DropTable(
                name: "Vulnerabilities");

            migrationBuilder.DropTable(
                name: "Findings");

            migrationBuilder.DropTable(
                name: "Scans");

            migrationBuilder.DropTable(
                name: "AliasGroups");

            migrationBuilder.DropTable(
                name: "Packages");

            migrationBuilder.DropTable(
                name: "Artifacts");

            migrationBuilder.DropTable(
                name: "RawReports");

            migrationBuilder.DropTable(
                name: "Repositories");
        }
    }
}
