using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Triage.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Decisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "VexAuthors",
                columns: table => new
                {
                    AuthorKey = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Trust = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VexAuthors", x => x.AuthorKey);
                });

            migrationBuilder.CreateTable(
                name: "VexDocuments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Format = table.Column<int>(type: "integer", nullable: false),
                    SpecVersion = table.Column<string>(type: "text", nullable: false),
                    DocumentId = table.Column<string>(type: "text", nullable: true),
                    Author = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<string>(type: "text", nullable: true),
                    Timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Tooling = table.Column<string>(type: "text", nullable: true),
                    Signature = table.Column<int>(type: "integer", nullable: false),
                    Trust = table.Column<int>(type: "integer", nullable: false),
                    FileName = table.Column<string>(type: "text", nullable: false),
                    Sha256 = table.Column<string>(type: "text", nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    StatementCount = table.Column<int>(type: "integer", nullable: false),
                    MatchedCount = table.Column<int>(type: "integer", nullable: false),
                    UnmatchedCount = table.Column<int>(type: "integer", nullable: false),
                    RejectedCount = table.Column<int>(type: "integer", nullable: false),
                    DecisionCount = table.Column<int>(type: "integer", nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastMatchedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ImportedBy = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VexDocuments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "VexExports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Key = table.Column<string>(type: "text", nullable: false),
                    Format = table.Column<int>(type: "integer", nullable: false),
                    Scope = table.Column<string>(type: "text", nullable: false),
                    Author = table.Column<string>(type: "text", nullable: false),
                    DocumentId = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    ContentHash = table.Column<string>(type: "text", nullable: false),
                    Timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RevisionsJson = table.Column<string>(type: "text", nullable: false),
                    ExportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VexExports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Decisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StatementId = table.Column<Guid>(type: "uuid", nullable: false),
                    VulnerabilityId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    VulnerabilityAliases = table.Column<string>(type: "text", nullable: false),
                    ScopeKind = table.Column<int>(type: "integer", nullable: false),
                    ScopeRepository = table.Column<string>(type: "text", nullable: true),
                    ScopeDigest = table.Column<string>(type: "text", nullable: true),
                    ScopeTeam = table.Column<string>(type: "text", nullable: true),
                    SubcomponentPurl = table.Column<string>(type: "text", nullable: true),
                    SubcomponentName = table.Column<string>(type: "text", nullable: true),
                    SubcomponentRange = table.Column<string>(type: "text", nullable: true),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    Justification = table.Column<int>(type: "integer", nullable: true),
                    CycloneDxJustification = table.Column<int>(type: "integer", nullable: true),
                    ImpactStatement = table.Column<string>(type: "text", nullable: true),
                    ActionStatement = table.Column<string>(type: "text", nullable: true),
                    Responses = table.Column<string>(type: "text", nullable: false),
                    Author = table.Column<string>(type: "text", nullable: false),
                    Timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Notes = table.Column<string>(type: "text", nullable: true),
                    DocumentId = table.Column<long>(type: "bigint", nullable: true),
                    SupersedesId = table.Column<long>(type: "bigint", nullable: true),
                    SlotKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RecordedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Decisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Decisions_Decisions_SupersedesId",
                        column: x => x.SupersedesId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Decisions_VexDocuments_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "VexDocuments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "VexDocumentIssues",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DocumentId = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    StatementIndex = table.Column<int>(type: "integer", nullable: true),
                    Location = table.Column<string>(type: "text", nullable: false),
                    VulnerabilityId = table.Column<string>(type: "text", nullable: true),
                    Product = table.Column<string>(type: "text", nullable: true),
                    Code = table.Column<string>(type: "text", nullable: false),
                    Message = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VexDocumentIssues", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VexDocumentIssues_VexDocuments_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "VexDocuments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DecisionReviews",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DecisionId = table.Column<long>(type: "bigint", nullable: false),
                    Reason = table.Column<int>(type: "integer", nullable: false),
                    Message = table.Column<string>(type: "text", nullable: false),
                    RaisedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DecisionReviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DecisionReviews_Decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DecisionVulnerabilityIds",
                columns: table => new
                {
                    DecisionId = table.Column<long>(type: "bigint", nullable: false),
                    VulnKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DecisionVulnerabilityIds", x => new { x.DecisionId, x.VulnKey });
                    table.ForeignKey(
                        name: "FK_DecisionVulnerabilityIds_Decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DecisionReviews_DecisionId_Reason",
                table: "DecisionReviews",
                columns: new[] { "DecisionId", "Reason" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DecisionVulnerabilityIds_VulnKey",
                table: "DecisionVulnerabilityIds",
                column: "VulnKey");

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_DocumentId",
                table: "Decisions",
                column: "DocumentId");

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_SlotKey_Timestamp",
                table: "Decisions",
                columns: new[] { "SlotKey", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_StatementId",
                table: "Decisions",
                column: "StatementId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_SubcomponentName",
                table: "Decisions",
                column: "SubcomponentName");

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_SupersedesId",
                table: "Decisions",
                column: "SupersedesId");

            migrationBuilder.CreateIndex(
                name: "IX_VexDocumentIssues_DocumentId_Kind",
                table: "VexDocumentIssues",
                columns: new[] { "DocumentId", "Kind" });

            migrationBuilder.CreateIndex(
                name: "IX_VexDocuments_Author",
                table: "VexDocuments",
                column: "Author");

            migrationBuilder.CreateIndex(
                name: "IX_VexDocuments_ImportedAt",
                table: "VexDocuments",
                column: "ImportedAt");

            migrationBuilder.CreateIndex(
                name: "IX_VexDocuments_Sha256",
                table: "VexDocuments",
                column: "Sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VexExports_Key",
                table: "VexExports",
                column: "Key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DecisionReviews");

            migrationBuilder.DropTable(
                name: "DecisionVulnerabilityIds");

            migrationBuilder.DropTable(
                name: "VexAuthors");

            migrationBuilder.DropTable(
                name: "VexDocumentIssues");

            migrationBuilder.DropTable(
                name: "VexExports");

            migrationBuilder.DropTable(
                name: "Decisions");

            migrationBuilder.DropTable(
                name: "VexDocuments");
        }
    }
}
