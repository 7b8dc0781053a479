using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Triage.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Runtime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EnrichmentImports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Feed = table.Column<int>(type: "integer", nullable: false),
                    Format = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<string>(type: "text", nullable: true),
                    DataDate = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Rows = table.Column<int>(type: "integer", nullable: false),
                    Added = table.Column<int>(type: "integer", nullable: false),
                    Removed = table.Column<int>(type: "integer", nullable: false),
                    Changed = table.Column<int>(type: "integer", nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false),
                    Sha256 = table.Column<string>(type: "text", nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ImportedBy = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EnrichmentImports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EpssEntries",
                columns: table => new
                {
                    Cve = table.Column<string>(type: "text", nullable: false),
                    Epss = table.Column<double>(type: "double precision", nullable: false),
                    Percentile = table.Column<double>(type: "double precision", nullable: false),
                    ScoreDate = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EpssEntries", x => x.Cve);
                });

            migrationBuilder.CreateTable(
                name: "FindingVerdicts",
                columns: table => new
                {
                    FindingId = table.Column<long>(type: "bigint", nullable: false),
                    Verdict = table.Column<int>(type: "integer", nullable: false),
                    Confidence = table.Column<int>(type: "integer", nullable: false),
                    ProposedJustification = table.Column<int>(type: "integer", nullable: true),
                    SourcesJson = table.Column<string>(type: "text", nullable: false),
                    NotesJson = table.Column<string>(type: "text", nullable: true),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FindingVerdicts", x => x.FindingId);
                    table.ForeignKey(
                        name: "FK_FindingVerdicts_Findings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Findings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "KevListings",
                columns: table => new
                {
                    CveId = table.Column<string>(type: "text", nullable: false),
                    DateAdded = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    DueDate = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Ransomware = table.Column<int>(type: "integer", nullable: false),
                    VendorProject = table.Column<string>(type: "text", nullable: true),
                    Product = table.Column<string>(type: "text", nullable: true),
                    VulnerabilityName = table.Column<string>(type: "text", nullable: true),
                    RequiredAction = table.Column<string>(type: "text", nullable: true),
                    FirstImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KevListings", x => x.CveId);
                });

            migrationBuilder.CreateTable(
                name: "RankingPolicies",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Hash = table.Column<string>(type: "text", nullable: false),
                    PolicyJson = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RankingPolicies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RuntimeEvidenceFiles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    FileName = table.Column<string>(type: "text", nullable: false),
                    Sha256 = table.Column<string>(type: "text", nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: true),
                    Cluster = table.Column<string>(type: "text", nullable: true),
                    Image = table.Column<string>(type: "text", nullable: true),
                    Completeness = table.Column<int>(type: "integer", nullable: true),
                    Source = table.Column<string>(type: "text", nullable: true),
                    Summary = table.Column<string>(type: "text", nullable: true),
                    Warnings = table.Column<string>(type: "text", nullable: false),
                    ObservedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ImportedBy = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RuntimeEvidenceFiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FindingRisks",
                columns: table => new
                {
                    FindingId = table.Column<long>(type: "bigint", nullable: false),
                    ScoreTenths = table.Column<int>(type: "integer", nullable: false),
                    Priority = table.Column<int>(type: "integer", nullable: false),
                    Excluded = table.Column<bool>(type: "boolean", nullable: false),
                    RankKey = table.Column<long>(type: "bigint", nullable: false),
                    CvssScore = table.Column<double>(type: "double precision", nullable: true),
                    PolicyId = table.Column<long>(type: "bigint", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FindingRisks", x => x.FindingId);
                    table.ForeignKey(
                        name: "FK_FindingRisks_Findings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Findings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_FindingRisks_RankingPolicies_PolicyId",
                        column: x => x.PolicyId,
                        principalTable: "RankingPolicies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RuntimeImageEvidence",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EvidenceFileId = table.Column<long>(type: "bigint", nullable: false),
                    Part = table.Column<int>(type: "integer", nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false),
                    ImageReference = table.Column<string>(type: "text", nullable: false),
                    Repository = table.Column<string>(type: "text", nullable: true),
                    Tag = table.Column<string>(type: "text", nullable: true),
                    Digest = table.Column<string>(type: "text", nullable: true),
                    ImageId = table.Column<string>(type: "text", nullable: true),
                    Completeness = table.Column<int>(type: "integer", nullable: true),
                    PartialReason = table.Column<string>(type: "text", nullable: true),
                    Items = table.Column<int>(type: "integer", nullable: false),
                    Detail = table.Column<string>(type: "text", nullable: true),
                    ObservedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RuntimeImageEvidence", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RuntimeImageEvidence_RuntimeEvidenceFiles_EvidenceFileId",
                        column: x => x.EvidenceFileId,
                        principalTable: "RuntimeEvidenceFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RuntimeSnapshots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EvidenceFileId = table.Column<long>(type: "bigint", nullable: false),
                    Source = table.Column<int>(type: "integer", nullable: false),
                    Cluster = table.Column<string>(type: "text", nullable: false),
                    ObservedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Workloads = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RuntimeSnapshots", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RuntimeSnapshots_RuntimeEvidenceFiles_EvidenceFileId",
                        column: x => x.EvidenceFileId,
                        principalTable: "RuntimeEvidenceFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RuntimeWorkloads",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Source = table.Column<int>(type: "integer", nullable: false),
                    Cluster = table.Column<string>(type: "text", nullable: false),
                    Namespace = table.Column<string>(type: "text", nullable: false),
                    WorkloadKind = table.Column<string>(type: "text", nullable: false),
                    WorkloadName = table.Column<string>(type: "text", nullable: false),
                    WorkloadInferred = table.Column<bool>(type: "boolean", nullable: false),
                    Container = table.Column<string>(type: "text", nullable: false),
                    InitContainer = table.Column<bool>(type: "boolean", nullable: false),
                    ImageKey = table.Column<string>(type: "text", nullable: false),
                    ImageReference = table.Column<string>(type: "text", nullable: false),
                    Repository = table.Column<string>(type: "text", nullable: true),
                    Tag = table.Column<string>(type: "text", nullable: true),
                    Digest = table.Column<string>(type: "text", nullable: true),
                    ImageId = table.Column<string>(type: "text", nullable: true),
                    Environment = table.Column<string>(type: "text", nullable: true),
                    Replicas = table.Column<int>(type: "integer", nullable: true),
                    Pods = table.Column<int>(type: "integer", nullable: false),
                    LabelsJson = table.Column<string>(type: "text", nullable: true),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    FirstSeen = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastSnapshotId = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RuntimeWorkloads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RuntimeWorkloads_RuntimeSnapshots_LastSnapshotId",
                        column: x => x.LastSnapshotId,
                        principalTable: "RuntimeSnapshots",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EnrichmentImports_Feed_ImportedAt",
                table: "EnrichmentImports",
                columns: new[] { "Feed", "ImportedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EnrichmentImports_Sha256",
                table: "EnrichmentImports",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_FindingRisks_PolicyId",
                table: "FindingRisks",
                column: "PolicyId");

            migrationBuilder.CreateIndex(
                name: "IX_FindingRisks_Priority",
                table: "FindingRisks",
                column: "Priority");

            migrationBuilder.CreateIndex(
                name: "IX_FindingRisks_RankKey_FindingId",
                table: "FindingRisks",
                columns: new[] { "RankKey", "FindingId" },
                descending: new[] { true, false });

            migrationBuilder.CreateIndex(
                name: "IX_FindingVerdicts_Verdict",
                table: "FindingVerdicts",
                column: "Verdict");

            migrationBuilder.CreateIndex(
                name: "IX_RankingPolicies_Hash",
                table: "RankingPolicies",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeEvidenceFiles_ImportedAt",
                table: "RuntimeEvidenceFiles",
                column: "ImportedAt");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeEvidenceFiles_Sha256",
                table: "RuntimeEvidenceFiles",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeImageEvidence_Digest",
                table: "RuntimeImageEvidence",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeImageEvidence_EvidenceFileId",
                table: "RuntimeImageEvidence",
                column: "EvidenceFileId");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeImageEvidence_ImageId",
                table: "RuntimeImageEvidence",
                column: "ImageId");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeImageEvidence_Repository_Tag",
                table: "RuntimeImageEvidence",
                columns: new[] { "Repository", "Tag" });

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeSnapshots_Cluster_Source_ObservedAt",
                table: "RuntimeSnapshots",
                columns: new[] { "Cluster", "Source", "ObservedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeSnapshots_EvidenceFileId",
                table: "RuntimeSnapshots",
                column: "EvidenceFileId");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeWorkloads_Cluster_Namespace_WorkloadKind_WorkloadNam~",
                table: "RuntimeWorkloads",
                columns: new[] { "Cluster", "Namespace", "WorkloadKind", "WorkloadName", "Container", "InitContainer", "ImageKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeWorkloads_Digest",
                table: "RuntimeWorkloads",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeWorkloads_ImageId",
                table: "RuntimeWorkloads",
                column: "ImageId");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeWorkloads_LastSnapshotId",
                table: "RuntimeWorkloads",
                column: "LastSnapshotId");

            migrationBuilder.CreateIndex(
                name: "IX_RuntimeWorkloads_Repository_Tag",
                table: "RuntimeWorkloads",
                columns: new[] { "Repository", "Tag" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EnrichmentImports");

            migrationBuilder.DropTable(
                name: "EpssEntries");

            migrationBuilder.DropTable(
                name: "FindingRisks");

            migrationBuilder.DropTable(
                name: "FindingVerdicts");

            migrationBuilder.DropTable(
                name: "KevListings");

            migrationBuilder.DropTable(
                name: "RuntimeImageEvidence");

            migrationBuilder.DropTable(
                name: "RuntimeWorkloads");

            migrationBuilder.DropTable(
                name: "RankingPolicies");

            migrationBuilder.DropTable(
                name: "RuntimeSnapshots");

            migrationBuilder.DropTable(
                name: "RuntimeEvidenceFiles");
        }
    }
}
