using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Triage.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VexUi : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProvisionalDecisions");

            migrationBuilder.CreateTable(
                name: "AppSettings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AppSettings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "Attestations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ArtifactId = table.Column<long>(type: "INTEGER", nullable: true),
                    SubjectDigest = table.Column<string>(type: "TEXT", nullable: false),
                    SubjectName = table.Column<string>(type: "TEXT", nullable: true),
                    PredicateType = table.Column<string>(type: "TEXT", nullable: false),
                    Builder = table.Column<string>(type: "TEXT", nullable: true),
                    BuildType = table.Column<string>(type: "TEXT", nullable: true),
                    SourceRepository = table.Column<string>(type: "TEXT", nullable: true),
                    SourceCommit = table.Column<string>(type: "TEXT", nullable: true),
                    Sha256 = table.Column<string>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", nullable: true),
                    UploadedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UploadedBy = table.Column<string>(type: "TEXT", nullable: true),
                    Verified = table.Column<bool>(type: "INTEGER", nullable: false),
                    FailureCode = table.Column<string>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    SignerIdentity = table.Column<string>(type: "TEXT", nullable: true),
                    SignerIssuer = table.Column<string>(type: "TEXT", nullable: true),
                    SignerKeyId = table.Column<string>(type: "TEXT", nullable: true),
                    SignedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    TrustDomain = table.Column<string>(type: "TEXT", nullable: true),
                    BundleJson = table.Column<string>(type: "TEXT", nullable: false),
                    CheckedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Attestations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Attestations_Artifacts_ArtifactId",
                        column: x => x.ArtifactId,
                        principalTable: "Artifacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "DecisionOrigins",
                columns: table => new
                {
                    DecisionId = table.Column<long>(type: "INTEGER", nullable: false),
                    FindingId = table.Column<long>(type: "INTEGER", nullable: true),
                    SessionId = table.Column<long>(type: "INTEGER", nullable: true),
                    UserId = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DecisionOrigins", x => x.DecisionId);
                    table.ForeignKey(
                        name: "FK_DecisionOrigins_Decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DecisionOrigins_Findings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Findings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_DecisionOrigins_TriageSessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "TriageSessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "EffectiveDecisions",
                columns: table => new
                {
                    FindingId = table.Column<long>(type: "INTEGER", nullable: false),
                    DecisionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Justification = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ScopeKind = table.Column<int>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Author = table.Column<string>(type: "TEXT", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ComputedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EffectiveDecisions", x => x.FindingId);
                    table.ForeignKey(
                        name: "FK_EffectiveDecisions_Decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EffectiveDecisions_Findings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Findings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SigningKeyRing",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FriendlyName = table.Column<string>(type: "TEXT", nullable: true),
                    Xml = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SigningKeyRing", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SigningKeys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    KeyId = table.Column<string>(type: "TEXT", nullable: false),
                    PublicKeyPem = table.Column<string>(type: "TEXT", nullable: false),
                    ProtectedPrivateKey = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SigningKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TrustedRoots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Domain = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrustedRoots", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TrustedSigners",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AuthorKey = table.Column<string>(type: "TEXT", nullable: false),
                    Identity = table.Column<string>(type: "TEXT", nullable: true),
                    IdentityIsPattern = table.Column<bool>(type: "INTEGER", nullable: false),
                    Issuer = table.Column<string>(type: "TEXT", nullable: true),
                    PublicKeyPem = table.Column<string>(type: "TEXT", nullable: true),
                    KeyId = table.Column<string>(type: "TEXT", nullable: true),
                    AddedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AddedBy = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrustedSigners", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "VexDocumentSignatures",
                columns: table => new
                {
                    DocumentId = table.Column<long>(type: "INTEGER", nullable: false),
                    Verified = table.Column<bool>(type: "INTEGER", nullable: false),
                    FailureCode = table.Column<string>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    SignerIdentity = table.Column<string>(type: "TEXT", nullable: true),
                    SignerIssuer = table.Column<string>(type: "TEXT", nullable: true),
                    SignerKeyId = table.Column<string>(type: "TEXT", nullable: true),
                    SignedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    TrustDomain = table.Column<string>(type: "TEXT", nullable: true),
                    BundleJson = table.Column<string>(type: "TEXT", nullable: false),
                    CheckedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VexDocumentSignatures", x => x.DocumentId);
                    table.ForeignKey(
                        name: "FK_VexDocumentSignatures_VexDocuments_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "VexDocuments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Attestations_ArtifactId",
                table: "Attestations",
                column: "ArtifactId");

            migrationBuilder.CreateIndex(
                name: "IX_Attestations_Sha256",
                table: "Attestations",
                column: "Sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Attestations_SubjectDigest",
                table: "Attestations",
                column: "SubjectDigest");

            migrationBuilder.CreateIndex(
                name: "IX_DecisionOrigins_FindingId",
                table: "DecisionOrigins",
                column: "FindingId");

            migrationBuilder.CreateIndex(
                name: "IX_DecisionOrigins_SessionId",
                table: "DecisionOrigins",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_EffectiveDecisions_DecisionId",
                table: "EffectiveDecisions",
                column: "DecisionId");

            migrationBuilder.CreateIndex(
                name: "IX_EffectiveDecisions_ExpiresAt",
                table: "EffectiveDecisions",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_EffectiveDecisions_Status_FindingId",
                table: "EffectiveDecisions",
                columns: new[] { "Status", "FindingId" });

            migrationBuilder.CreateIndex(
                name: "IX_SigningKeys_KeyId",
                table: "SigningKeys",
                column: "KeyId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrustedRoots_Domain",
                table: "TrustedRoots",
                column: "Domain",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrustedSigners_AuthorKey",
                table: "TrustedSigners",
                column: "AuthorKey");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AppSettings");

            migrationBuilder.DropTable(
                name: "Attestations");

            migrationBuilder.DropTable(
                name: "DecisionOrigins");

            migrationBuilder.DropTable(
                name: "EffectiveDecisions");

            migrationBuilder.DropTable(
                name: "SigningKeyRing");

            migrationBuilder.DropTable(
                name: "SigningKeys");

            migrationBuilder.DropTable(
                name: "TrustedRoots");

            migrationBuilder.DropTable(
                name: "TrustedSigners");

            migrationBuilder.DropTable(
                name: "VexDocumentSignatures");

            migrationBuilder.CreateTable(
                name: "ProvisionalDecisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AuthorId = table.Column<string>(type: "TEXT", nullable: false),
                    AuthorName = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FindingId = table.Column<long>(type: "INTEGER", nullable: false),
                    IsCurrent = table.Column<bool>(type: "INTEGER", nullable: false),
                    Justification = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    SessionId = table.Column<long>(type: "INTEGER", nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProvisionalDecisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProvisionalDecisions_Findings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Findings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ProvisionalDecisions_TriageSessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "TriageSessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProvisionalDecisions_CreatedAt",
                table: "ProvisionalDecisions",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ProvisionalDecisions_FindingId_IsCurrent",
                table: "ProvisionalDecisions",
                columns: new[] { "FindingId", "IsCurrent" });

            migrationBuilder.CreateIndex(
                name: "IX_ProvisionalDecisions_IsCurrent_Status",
                table: "ProvisionalDecisions",
                columns: new[] { "IsCurrent", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_ProvisionalDecisions_SessionId",
                table: "ProvisionalDecisions",
                column: "SessionId");
        }
    }
}
