CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

BEGIN TRANSACTION;
CREATE TABLE "AliasAssertions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AliasAssertions" PRIMARY KEY AUTOINCREMENT,
    "FromId" TEXT NOT NULL,
    "ToId" TEXT NOT NULL,
    "Relation" INTEGER NOT NULL,
    "Source" TEXT NOT NULL,
    "Applied" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE TABLE "AliasGroups" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AliasGroups" PRIMARY KEY AUTOINCREMENT,
    "CanonicalId" TEXT NOT NULL
);

CREATE TABLE "Packages" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Packages" PRIMARY KEY AUTOINCREMENT,
    "Key" TEXT NOT NULL,
    "Type" TEXT NOT NULL,
    "Namespace" TEXT NULL,
    "Name" TEXT NOT NULL,
    "Version" TEXT NOT NULL,
    "Purl" TEXT NULL,
    "SourceName" TEXT NULL,
    "SourceVersion" TEXT NULL
);

CREATE TABLE "RawReports" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RawReports" PRIMARY KEY AUTOINCREMENT,
    "Sha256" TEXT NOT NULL,
    "FileName" TEXT NOT NULL,
    "Scanner" TEXT NOT NULL,
    "SizeBytes" INTEGER NOT NULL,
    "ContentEncoding" TEXT NOT NULL,
    "Content" BLOB NULL,
    "ImportedAt" TEXT NOT NULL
);

CREATE TABLE "Repositories" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Repositories" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "TeamId" INTEGER NULL,
    "ReplacesRepositoryId" INTEGER NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE TABLE "Vulnerabilities" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Vulnerabilities" PRIMARY KEY AUTOINCREMENT,
    "VulnId" TEXT NOT NULL,
    "GroupId" INTEGER NOT NULL,
    "Title" TEXT NULL,
    "Description" TEXT NULL,
    "Cwes" TEXT NOT NULL,
    "CvssJson" TEXT NULL,
    "SeverityBySourceJson" TEXT NULL,
    "References" TEXT NOT NULL,
    "PrimaryUrl" TEXT NULL,
    "PublishedAt" TEXT NULL,
    "ModifiedAt" TEXT NULL,
    CONSTRAINT "FK_Vulnerabilities_AliasGroups_GroupId" FOREIGN KEY ("GroupId") REFERENCES "AliasGroups" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Artifacts" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Artifacts" PRIMARY KEY AUTOINCREMENT,
    "RepositoryId" INTEGER NOT NULL,
    "Digest" TEXT NULL,
    "ImageId" TEXT NULL,
    "Tags" TEXT NOT NULL,
    "OsFamily" TEXT NULL,
    "OsName" TEXT NULL,
    "BaseImage" TEXT NULL,
    "SizeBytes" INTEGER NULL,
    "PackageCount" INTEGER NOT NULL,
    "FirstSeen" TEXT NOT NULL,
    "LastSeen" TEXT NOT NULL,
    CONSTRAINT "FK_Artifacts_Repositories_RepositoryId" FOREIGN KEY ("RepositoryId") REFERENCES "Repositories" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ArtifactPackages" (
    "ArtifactId" INTEGER NOT NULL,
    "PackageId" INTEGER NOT NULL,
    "Layer" TEXT NULL,
    "Paths" TEXT NOT NULL,
    "FirstSeen" TEXT NOT NULL,
    "LastSeen" TEXT NOT NULL,
    CONSTRAINT "PK_ArtifactPackages" PRIMARY KEY ("ArtifactId", "PackageId"),
    CONSTRAINT "FK_ArtifactPackages_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_ArtifactPackages_Packages_PackageId" FOREIGN KEY ("PackageId") REFERENCES "Packages" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Findings" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Findings" PRIMARY KEY AUTOINCREMENT,
    "ArtifactId" INTEGER NOT NULL,
    "PackageId" INTEGER NOT NULL,
    "GroupId" INTEGER NOT NULL,
    "Severity" INTEGER NOT NULL,
    "FixedVersions" TEXT NOT NULL,
    "FixAvailable" INTEGER NOT NULL,
    "Active" INTEGER NOT NULL,
    "FirstSeen" TEXT NOT NULL,
    "LastSeen" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    CONSTRAINT "FK_Findings_AliasGroups_GroupId" FOREIGN KEY ("GroupId") REFERENCES "AliasGroups" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Findings_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_Findings_Packages_PackageId" FOREIGN KEY ("PackageId") REFERENCES "Packages" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Scans" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Scans" PRIMARY KEY AUTOINCREMENT,
    "ArtifactId" INTEGER NOT NULL,
    "RawReportId" INTEGER NOT NULL,
    "Scanner" TEXT NOT NULL,
    "ScannerVersion" TEXT NULL,
    "DatabaseInfo" TEXT NULL,
    "ReportCreatedAt" TEXT NULL,
    "ImportedAt" TEXT NOT NULL,
    "Target" TEXT NULL,
    "ObservationCount" INTEGER NOT NULL,
    "FindingCount" INTEGER NOT NULL,
    "NewFindingCount" INTEGER NOT NULL,
    "Skipped" TEXT NULL,
    "ImportedBy" TEXT NULL,
    CONSTRAINT "FK_Scans_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_Scans_RawReports_RawReportId" FOREIGN KEY ("RawReportId") REFERENCES "RawReports" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Observations" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Observations" PRIMARY KEY AUTOINCREMENT,
    "FindingId" INTEGER NOT NULL,
    "ScanId" INTEGER NOT NULL,
    "Scanner" TEXT NOT NULL,
    "RawVulnId" TEXT NOT NULL,
    "RawPackageName" TEXT NULL,
    "RawPackageVersion" TEXT NULL,
    "Purl" TEXT NULL,
    "Severity" INTEGER NOT NULL,
    "SeveritySource" TEXT NULL,
    "CvssJson" TEXT NULL,
    "FixedVersions" TEXT NOT NULL,
    "FixState" INTEGER NOT NULL,
    "Status" TEXT NULL,
    "PathsJson" TEXT NULL,
    "Active" INTEGER NOT NULL,
    "FirstSeen" TEXT NOT NULL,
    "LastSeen" TEXT NOT NULL,
    CONSTRAINT "FK_Observations_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_Observations_Scans_ScanId" FOREIGN KEY ("ScanId") REFERENCES "Scans" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_AliasAssertions_FromId_ToId_Relation_Source" ON "AliasAssertions" ("FromId", "ToId", "Relation", "Source");

CREATE INDEX "IX_AliasAssertions_ToId" ON "AliasAssertions" ("ToId");

CREATE INDEX "IX_AliasGroups_CanonicalId" ON "AliasGroups" ("CanonicalId");

CREATE INDEX "IX_ArtifactPackages_PackageId" ON "ArtifactPackages" ("PackageId");

CREATE INDEX "IX_Artifacts_Digest" ON "Artifacts" ("Digest");

CREATE INDEX "IX_Artifacts_ImageId" ON "Artifacts" ("ImageId");

CREATE INDEX "IX_Artifacts_RepositoryId_Digest" ON "Artifacts" ("RepositoryId", "Digest");

CREATE INDEX "IX_Findings_Active_Severity" ON "Findings" ("Active", "Severity");

CREATE UNIQUE INDEX "IX_Findings_ArtifactId_PackageId_GroupId" ON "Findings" ("ArtifactId", "PackageId", "GroupId");

CREATE INDEX "IX_Findings_GroupId" ON "Findings" ("GroupId");

CREATE INDEX "IX_Findings_PackageId" ON "Findings" ("PackageId");

CREATE UNIQUE INDEX "IX_Observations_FindingId_Scanner_RawVulnId" ON "Observations" ("FindingId", "Scanner", "RawVulnId");

CREATE INDEX "IX_Observations_ScanId" ON "Observations" ("ScanId");

CREATE UNIQUE INDEX "IX_Packages_Key" ON "Packages" ("Key");

CREATE INDEX "IX_Packages_SourceName" ON "Packages" ("SourceName");

CREATE INDEX "IX_Packages_Type_Name" ON "Packages" ("Type", "Name");

CREATE UNIQUE INDEX "IX_RawReports_Sha256" ON "RawReports" ("Sha256");

CREATE UNIQUE INDEX "IX_Repositories_Name" ON "Repositories" ("Name");

CREATE INDEX "IX_Repositories_TeamId" ON "Repositories" ("TeamId");

CREATE INDEX "IX_Scans_ArtifactId_Scanner" ON "Scans" ("ArtifactId", "Scanner");

CREATE INDEX "IX_Scans_ImportedAt" ON "Scans" ("ImportedAt");

CREATE INDEX "IX_Scans_RawReportId" ON "Scans" ("RawReportId");

CREATE INDEX "IX_Vulnerabilities_GroupId" ON "Vulnerabilities" ("GroupId");

CREATE UNIQUE INDEX "IX_Vulnerabilities_VulnId" ON "Vulnerabilities" ("VulnId");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128140218_Initial', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "VexAuthors" (
    "AuthorKey" TEXT NOT NULL CONSTRAINT "PK_VexAuthors" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Trust" INTEGER NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "UpdatedBy" TEXT NULL
);

CREATE TABLE "VexDocuments" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VexDocuments" PRIMARY KEY AUTOINCREMENT,
    "Format" INTEGER NOT NULL,
    "SpecVersion" TEXT NOT NULL,
    "DocumentId" TEXT NULL,
    "Author" TEXT NOT NULL,
    "Version" TEXT NULL,
    "Timestamp" TEXT NULL,
    "Tooling" TEXT NULL,
    "Signature" INTEGER NOT NULL,
    "Trust" INTEGER NOT NULL,
    "FileName" TEXT NOT NULL,
    "Sha256" TEXT NOT NULL,
    "SizeBytes" INTEGER NOT NULL,
    "Content" BLOB NOT NULL,
    "StatementCount" INTEGER NOT NULL,
    "MatchedCount" INTEGER NOT NULL,
    "UnmatchedCount" INTEGER NOT NULL,
    "RejectedCount" INTEGER NOT NULL,
    "DecisionCount" INTEGER NOT NULL,
    "ImportedAt" TEXT NOT NULL,
    "LastMatchedAt" TEXT NOT NULL,
    "ImportedBy" TEXT NULL
);

CREATE TABLE "VexExports" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VexExports" PRIMARY KEY AUTOINCREMENT,
    "Key" TEXT NOT NULL,
    "Format" INTEGER NOT NULL,
    "Scope" TEXT NOT NULL,
    "Author" TEXT NOT NULL,
    "DocumentId" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "ContentHash" TEXT NOT NULL,
    "Timestamp" TEXT NOT NULL,
    "RevisionsJson" TEXT NOT NULL,
    "ExportedAt" TEXT NOT NULL
);

CREATE TABLE "Decisions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Decisions" PRIMARY KEY AUTOINCREMENT,
    "StatementId" TEXT NOT NULL,
    "VulnerabilityId" TEXT NOT NULL,
    "VulnerabilityAliases" TEXT NOT NULL,
    "ScopeKind" INTEGER NOT NULL,
    "ScopeRepository" TEXT NULL,
    "ScopeDigest" TEXT NULL,
    "ScopeTeam" TEXT NULL,
    "SubcomponentPurl" TEXT NULL,
    "SubcomponentName" TEXT NULL,
    "SubcomponentRange" TEXT NULL,
    "Status" INTEGER NOT NULL,
    "Justification" INTEGER NULL,
    "CycloneDxJustification" INTEGER NULL,
    "ImpactStatement" TEXT NULL,
    "ActionStatement" TEXT NULL,
    "Responses" TEXT NOT NULL,
    "Author" TEXT NOT NULL,
    "Timestamp" TEXT NOT NULL,
    "ExpiresAt" TEXT NULL,
    "Notes" TEXT NULL,
    "DocumentId" INTEGER NULL,
    "SupersedesId" INTEGER NULL,
    "SlotKey" TEXT NOT NULL,
    "RecordedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Decisions_Decisions_SupersedesId" FOREIGN KEY ("SupersedesId") REFERENCES "Decisions" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Decisions_VexDocuments_DocumentId" FOREIGN KEY ("DocumentId") REFERENCES "VexDocuments" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "VexDocumentIssues" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_VexDocumentIssues" PRIMARY KEY AUTOINCREMENT,
    "DocumentId" INTEGER NOT NULL,
    "Kind" INTEGER NOT NULL,
    "StatementIndex" INTEGER NULL,
    "Location" TEXT NOT NULL,
    "VulnerabilityId" TEXT NULL,
    "Product" TEXT NULL,
    "Code" TEXT NOT NULL,
    "Message" TEXT NOT NULL,
    CONSTRAINT "FK_VexDocumentIssues_VexDocuments_DocumentId" FOREIGN KEY ("DocumentId") REFERENCES "VexDocuments" ("Id") ON DELETE CASCADE
);

CREATE TABLE "DecisionReviews" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DecisionReviews" PRIMARY KEY AUTOINCREMENT,
    "DecisionId" INTEGER NOT NULL,
    "Reason" INTEGER NOT NULL,
    "Message" TEXT NOT NULL,
    "RaisedAt" TEXT NOT NULL,
    CONSTRAINT "FK_DecisionReviews_Decisions_DecisionId" FOREIGN KEY ("DecisionId") REFERENCES "Decisions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "DecisionVulnerabilityIds" (
    "DecisionId" INTEGER NOT NULL,
    "VulnKey" TEXT NOT NULL,
    CONSTRAINT "PK_DecisionVulnerabilityIds" PRIMARY KEY ("DecisionId", "VulnKey"),
    CONSTRAINT "FK_DecisionVulnerabilityIds_Decisions_DecisionId" FOREIGN KEY ("DecisionId") REFERENCES "Decisions" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_DecisionReviews_DecisionId_Reason" ON "DecisionReviews" ("DecisionId", "Reason");

CREATE INDEX "IX_DecisionVulnerabilityIds_VulnKey" ON "DecisionVulnerabilityIds" ("VulnKey");

CREATE INDEX "IX_Decisions_DocumentId" ON "Decisions" ("DocumentId");

CREATE INDEX "IX_Decisions_SlotKey_Timestamp" ON "Decisions" ("SlotKey", "Timestamp");

CREATE UNIQUE INDEX "IX_Decisions_StatementId" ON "Decisions" ("StatementId");

CREATE INDEX "IX_Decisions_SubcomponentName" ON "Decisions" ("SubcomponentName");

CREATE INDEX "IX_Decisions_SupersedesId" ON "Decisions" ("SupersedesId");

CREATE INDEX "IX_VexDocumentIssues_DocumentId_Kind" ON "VexDocumentIssues" ("DocumentId", "Kind");

CREATE INDEX "IX_VexDocuments_Author" ON "VexDocuments" ("Author");

CREATE INDEX "IX_VexDocuments_ImportedAt" ON "VexDocuments" ("ImportedAt");

CREATE UNIQUE INDEX "IX_VexDocuments_Sha256" ON "VexDocuments" ("Sha256");

CREATE UNIQUE INDEX "IX_VexExports_Key" ON "VexExports" ("Key");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128151456_Decisions', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "AspNetRoles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetRoles" PRIMARY KEY,
    "Name" TEXT NULL,
    "NormalizedName" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL
);

CREATE TABLE "AspNetUsers" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetUsers" PRIMARY KEY,
    "DisplayName" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "LastSignInAt" TEXT NULL,
    "UserName" TEXT NULL,
    "NormalizedUserName" TEXT NULL,
    "Email" TEXT NULL,
    "NormalizedEmail" TEXT NULL,
    "EmailConfirmed" INTEGER NOT NULL,
    "PasswordHash" TEXT NULL,
    "SecurityStamp" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL,
    "PhoneNumber" TEXT NULL,
    "PhoneNumberConfirmed" INTEGER NOT NULL,
    "TwoFactorEnabled" INTEGER NOT NULL,
    "LockoutEnd" TEXT NULL,
    "LockoutEnabled" INTEGER NOT NULL,
    "AccessFailedCount" INTEGER NOT NULL
);

CREATE TABLE "SavedFilters" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_SavedFilters" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Query" TEXT NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE TABLE "Teams" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Teams" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE TABLE "TriageSessions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_TriageSessions" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Query" TEXT NOT NULL,
    "FacilitatorId" TEXT NOT NULL,
    "FacilitatorName" TEXT NOT NULL,
    "CurrentPosition" INTEGER NOT NULL,
    "StartedAt" TEXT NOT NULL,
    "ClosedAt" TEXT NULL
);

CREATE TABLE "AspNetRoleClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY AUTOINCREMENT,
    "RoleId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ApiTokens" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ApiTokens" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "Hash" TEXT NOT NULL,
    "Scopes" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "ExpiresAt" TEXT NULL,
    "LastUsedAt" TEXT NULL,
    "RevokedAt" TEXT NULL,
    CONSTRAINT "FK_ApiTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetUserClaims" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetUserClaims_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserLogins" (
    "LoginProvider" TEXT NOT NULL,
    "ProviderKey" TEXT NOT NULL,
    "ProviderDisplayName" TEXT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
    CONSTRAINT "FK_AspNetUserLogins_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserRoles" (
    "UserId" TEXT NOT NULL,
    "RoleId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserRoles" PRIMARY KEY ("UserId", "RoleId"),
    CONSTRAINT "FK_AspNetUserRoles_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_AspNetUserRoles_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserTokens" (
    "UserId" TEXT NOT NULL,
    "LoginProvider" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Value" TEXT NULL,
    CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
    CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "TeamMembers" (
    "TeamId" INTEGER NOT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_TeamMembers" PRIMARY KEY ("TeamId", "UserId"),
    CONSTRAINT "FK_TeamMembers_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_TeamMembers_Teams_TeamId" FOREIGN KEY ("TeamId") REFERENCES "Teams" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ProvisionalDecisions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ProvisionalDecisions" PRIMARY KEY AUTOINCREMENT,
    "FindingId" INTEGER NOT NULL,
    "SessionId" INTEGER NULL,
    "Status" INTEGER NOT NULL,
    "Justification" TEXT NULL,
    "AuthorId" TEXT NOT NULL,
    "AuthorName" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "IsCurrent" INTEGER NOT NULL,
    CONSTRAINT "FK_ProvisionalDecisions_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_ProvisionalDecisions_TriageSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "TriageSessions" ("Id") ON DELETE SET NULL
);

CREATE TABLE "SessionItems" (
    "SessionId" INTEGER NOT NULL,
    "Position" INTEGER NOT NULL,
    "FindingId" INTEGER NOT NULL,
    CONSTRAINT "PK_SessionItems" PRIMARY KEY ("SessionId", "Position"),
    CONSTRAINT "FK_SessionItems_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_SessionItems_TriageSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "TriageSessions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SessionProposals" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_SessionProposals" PRIMARY KEY AUTOINCREMENT,
    "SessionId" INTEGER NOT NULL,
    "FindingId" INTEGER NOT NULL,
    "Status" INTEGER NOT NULL,
    "Note" TEXT NULL,
    "AuthorId" TEXT NOT NULL,
    "AuthorName" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_SessionProposals_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_SessionProposals_TriageSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "TriageSessions" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Findings_Active_Severity_Id" ON "Findings" ("Active", "Severity" DESC, "Id");

CREATE UNIQUE INDEX "IX_ApiTokens_Hash" ON "ApiTokens" ("Hash");

CREATE INDEX "IX_ApiTokens_UserId" ON "ApiTokens" ("UserId");

CREATE INDEX "IX_AspNetRoleClaims_RoleId" ON "AspNetRoleClaims" ("RoleId");

CREATE UNIQUE INDEX "RoleNameIndex" ON "AspNetRoles" ("NormalizedName");

CREATE INDEX "IX_AspNetUserClaims_UserId" ON "AspNetUserClaims" ("UserId");

CREATE INDEX "IX_AspNetUserLogins_UserId" ON "AspNetUserLogins" ("UserId");

CREATE INDEX "IX_AspNetUserRoles_RoleId" ON "AspNetUserRoles" ("RoleId");

CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail");

CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");

CREATE INDEX "IX_ProvisionalDecisions_CreatedAt" ON "ProvisionalDecisions" ("CreatedAt");

CREATE INDEX "IX_ProvisionalDecisions_FindingId_IsCurrent" ON "ProvisionalDecisions" ("FindingId", "IsCurrent");

CREATE INDEX "IX_ProvisionalDecisions_IsCurrent_Status" ON "ProvisionalDecisions" ("IsCurrent", "Status");

CREATE INDEX "IX_ProvisionalDecisions_SessionId" ON "ProvisionalDecisions" ("SessionId");

CREATE INDEX "IX_SessionItems_FindingId" ON "SessionItems" ("FindingId");

CREATE INDEX "IX_SessionProposals_FindingId" ON "SessionProposals" ("FindingId");

CREATE INDEX "IX_SessionProposals_SessionId_FindingId" ON "SessionProposals" ("SessionId", "FindingId");

CREATE INDEX "IX_TeamMembers_UserId" ON "TeamMembers" ("UserId");

CREATE UNIQUE INDEX "IX_Teams_Name" ON "Teams" ("Name");

CREATE INDEX "IX_TriageSessions_StartedAt" ON "TriageSessions" ("StartedAt");

CREATE TABLE "ef_temp_Repositories" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Repositories" PRIMARY KEY AUTOINCREMENT,
    "CreatedAt" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "ReplacesRepositoryId" INTEGER NULL,
    "TeamId" INTEGER NULL,
    CONSTRAINT "FK_Repositories_Teams_TeamId" FOREIGN KEY ("TeamId") REFERENCES "Teams" ("Id") ON DELETE SET NULL
);

INSERT INTO "ef_temp_Repositories" ("Id", "CreatedAt", "Name", "ReplacesRepositoryId", "TeamId")
SELECT "Id", "CreatedAt", "Name", "ReplacesRepositoryId", "TeamId"
FROM "Repositories";

COMMIT;

PRAGMA foreign_keys = 0;

BEGIN TRANSACTION;
DROP TABLE "Repositories";

ALTER TABLE "ef_temp_Repositories" RENAME TO "Repositories";

COMMIT;

PRAGMA foreign_keys = 1;

BEGIN TRANSACTION;
CREATE UNIQUE INDEX "IX_Repositories_Name" ON "Repositories" ("Name");

CREATE INDEX "IX_Repositories_TeamId" ON "Repositories" ("TeamId");

COMMIT;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128160232_Access', '10.0.15');

BEGIN TRANSACTION;
CREATE TABLE "DataProtectionKeys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DataProtectionKeys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NULL
);

CREATE TABLE "ImportJobs" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ImportJobs" PRIMARY KEY AUTOINCREMENT,
    "State" INTEGER NOT NULL,
    "FileName" TEXT NOT NULL,
    "Sha256" TEXT NOT NULL,
    "SizeBytes" INTEGER NOT NULL,
    "Content" BLOB NULL,
    "Image" TEXT NULL,
    "Scanner" TEXT NULL,
    "ImportedBy" TEXT NULL,
    "MaxBytes" INTEGER NOT NULL,
    "EnqueuedBy" TEXT NOT NULL,
    "EnqueuedAt" TEXT NOT NULL,
    "ClaimedBy" TEXT NULL,
    "LeaseUntil" TEXT NULL,
    "Attempts" INTEGER NOT NULL,
    "StartedAt" TEXT NULL,
    "FinishedAt" TEXT NULL,
    "ResultJson" TEXT NULL,
    "ErrorCode" TEXT NULL,
    "Error" TEXT NULL
);

CREATE INDEX "IX_ImportJobs_FinishedAt" ON "ImportJobs" ("FinishedAt");

CREATE INDEX "IX_ImportJobs_Sha256" ON "ImportJobs" ("Sha256");

CREATE INDEX "IX_ImportJobs_State_Id" ON "ImportJobs" ("State", "Id");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128161121_Operations', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "EnrichmentImports" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_EnrichmentImports" PRIMARY KEY AUTOINCREMENT,
    "Feed" INTEGER NOT NULL,
    "Format" TEXT NOT NULL,
    "Version" TEXT NULL,
    "DataDate" TEXT NULL,
    "Rows" INTEGER NOT NULL,
    "Added" INTEGER NOT NULL,
    "Removed" INTEGER NOT NULL,
    "Changed" INTEGER NOT NULL,
    "Source" TEXT NOT NULL,
    "Sha256" TEXT NOT NULL,
    "ImportedAt" TEXT NOT NULL,
    "ImportedBy" TEXT NULL
);

CREATE TABLE "EpssEntries" (
    "Cve" TEXT NOT NULL CONSTRAINT "PK_EpssEntries" PRIMARY KEY,
    "Epss" REAL NOT NULL,
    "Percentile" REAL NOT NULL,
    "ScoreDate" TEXT NOT NULL
);

CREATE TABLE "FindingVerdicts" (
    "FindingId" INTEGER NOT NULL CONSTRAINT "PK_FindingVerdicts" PRIMARY KEY,
    "Verdict" INTEGER NOT NULL,
    "Confidence" INTEGER NOT NULL,
    "ProposedJustification" INTEGER NULL,
    "SourcesJson" TEXT NOT NULL,
    "NotesJson" TEXT NULL,
    "ComputedAt" TEXT NOT NULL,
    CONSTRAINT "FK_FindingVerdicts_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE
);

CREATE TABLE "KevListings" (
    "CveId" TEXT NOT NULL CONSTRAINT "PK_KevListings" PRIMARY KEY,
    "DateAdded" TEXT NOT NULL,
    "DueDate" TEXT NULL,
    "Ransomware" INTEGER NOT NULL,
    "VendorProject" TEXT NULL,
    "Product" TEXT NULL,
    "VulnerabilityName" TEXT NULL,
    "RequiredAction" TEXT NULL,
    "FirstImportedAt" TEXT NOT NULL
);

CREATE TABLE "RankingPolicies" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RankingPolicies" PRIMARY KEY AUTOINCREMENT,
    "Hash" TEXT NOT NULL,
    "PolicyJson" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE TABLE "RuntimeEvidenceFiles" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RuntimeEvidenceFiles" PRIMARY KEY AUTOINCREMENT,
    "Kind" INTEGER NOT NULL,
    "FileName" TEXT NOT NULL,
    "Sha256" TEXT NOT NULL,
    "SizeBytes" INTEGER NOT NULL,
    "Content" BLOB NULL,
    "Cluster" TEXT NULL,
    "Image" TEXT NULL,
    "Completeness" INTEGER NULL,
    "Source" TEXT NULL,
    "Summary" TEXT NULL,
    "Warnings" TEXT NOT NULL,
    "ObservedAt" TEXT NOT NULL,
    "ImportedAt" TEXT NOT NULL,
    "ImportedBy" TEXT NULL
);

CREATE TABLE "FindingRisks" (
    "FindingId" INTEGER NOT NULL CONSTRAINT "PK_FindingRisks" PRIMARY KEY,
    "ScoreTenths" INTEGER NOT NULL,
    "Priority" INTEGER NOT NULL,
    "Excluded" INTEGER NOT NULL,
    "RankKey" INTEGER NOT NULL,
    "CvssScore" REAL NULL,
    "PolicyId" INTEGER NOT NULL,
    "ComputedAt" TEXT NOT NULL,
    CONSTRAINT "FK_FindingRisks_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_FindingRisks_RankingPolicies_PolicyId" FOREIGN KEY ("PolicyId") REFERENCES "RankingPolicies" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "RuntimeImageEvidence" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RuntimeImageEvidence" PRIMARY KEY AUTOINCREMENT,
    "EvidenceFileId" INTEGER NOT NULL,
    "Part" INTEGER NOT NULL,
    "Source" TEXT NOT NULL,
    "ImageReference" TEXT NOT NULL,
    "Repository" TEXT NULL,
    "Tag" TEXT NULL,
    "Digest" TEXT NULL,
    "ImageId" TEXT NULL,
    "Completeness" INTEGER NULL,
    "PartialReason" TEXT NULL,
    "Items" INTEGER NOT NULL,
    "Detail" TEXT NULL,
    "ObservedAt" TEXT NOT NULL,
    CONSTRAINT "FK_RuntimeImageEvidence_RuntimeEvidenceFiles_EvidenceFileId" FOREIGN KEY ("EvidenceFileId") REFERENCES "RuntimeEvidenceFiles" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RuntimeSnapshots" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RuntimeSnapshots" PRIMARY KEY AUTOINCREMENT,
    "EvidenceFileId" INTEGER NOT NULL,
    "Source" INTEGER NOT NULL,
    "Cluster" TEXT NOT NULL,
    "ObservedAt" TEXT NOT NULL,
    "Workloads" INTEGER NOT NULL,
    CONSTRAINT "FK_RuntimeSnapshots_RuntimeEvidenceFiles_EvidenceFileId" FOREIGN KEY ("EvidenceFileId") REFERENCES "RuntimeEvidenceFiles" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RuntimeWorkloads" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RuntimeWorkloads" PRIMARY KEY AUTOINCREMENT,
    "Source" INTEGER NOT NULL,
    "Cluster" TEXT NOT NULL,
    "Namespace" TEXT NOT NULL,
    "WorkloadKind" TEXT NOT NULL,
    "WorkloadName" TEXT NOT NULL,
    "WorkloadInferred" INTEGER NOT NULL,
    "Container" TEXT NOT NULL,
    "InitContainer" INTEGER NOT NULL,
    "ImageKey" TEXT NOT NULL,
    "ImageReference" TEXT NOT NULL,
    "Repository" TEXT NULL,
    "Tag" TEXT NULL,
    "Digest" TEXT NULL,
    "ImageId" TEXT NULL,
    "Environment" TEXT NULL,
    "Replicas" INTEGER NULL,
    "Pods" INTEGER NOT NULL,
    "LabelsJson" TEXT NULL,
    "StartedAt" TEXT NULL,
    "FirstSeen" TEXT NOT NULL,
    "LastSeen" TEXT NOT NULL,
    "LastSnapshotId" INTEGER NOT NULL,
    CONSTRAINT "FK_RuntimeWorkloads_RuntimeSnapshots_LastSnapshotId" FOREIGN KEY ("LastSnapshotId") REFERENCES "RuntimeSnapshots" ("Id") ON DELETE RESTRICT
);

CREATE INDEX "IX_EnrichmentImports_Feed_ImportedAt" ON "EnrichmentImports" ("Feed", "ImportedAt");

CREATE INDEX "IX_EnrichmentImports_Sha256" ON "EnrichmentImports" ("Sha256");

CREATE INDEX "IX_FindingRisks_PolicyId" ON "FindingRisks" ("PolicyId");

CREATE INDEX "IX_FindingRisks_Priority" ON "FindingRisks" ("Priority");

CREATE INDEX "IX_FindingRisks_RankKey_FindingId" ON "FindingRisks" ("RankKey" DESC, "FindingId");

CREATE INDEX "IX_FindingVerdicts_Verdict" ON "FindingVerdicts" ("Verdict");

CREATE UNIQUE INDEX "IX_RankingPolicies_Hash" ON "RankingPolicies" ("Hash");

CREATE INDEX "IX_RuntimeEvidenceFiles_ImportedAt" ON "RuntimeEvidenceFiles" ("ImportedAt");

CREATE INDEX "IX_RuntimeEvidenceFiles_Sha256" ON "RuntimeEvidenceFiles" ("Sha256");

CREATE INDEX "IX_RuntimeImageEvidence_Digest" ON "RuntimeImageEvidence" ("Digest");

CREATE INDEX "IX_RuntimeImageEvidence_EvidenceFileId" ON "RuntimeImageEvidence" ("EvidenceFileId");

CREATE INDEX "IX_RuntimeImageEvidence_ImageId" ON "RuntimeImageEvidence" ("ImageId");

CREATE INDEX "IX_RuntimeImageEvidence_Repository_Tag" ON "RuntimeImageEvidence" ("Repository", "Tag");

CREATE INDEX "IX_RuntimeSnapshots_Cluster_Source_ObservedAt" ON "RuntimeSnapshots" ("Cluster", "Source", "ObservedAt");

CREATE INDEX "IX_RuntimeSnapshots_EvidenceFileId" ON "RuntimeSnapshots" ("EvidenceFileId");

CREATE UNIQUE INDEX "IX_RuntimeWorkloads_Cluster_Namespace_WorkloadKind_WorkloadName_Container_InitContainer_ImageKey" ON "RuntimeWorkloads" ("Cluster", "Namespace", "WorkloadKind", "WorkloadName", "Container", "InitContainer", "ImageKey");

CREATE INDEX "IX_RuntimeWorkloads_Digest" ON "RuntimeWorkloads" ("Digest");

CREATE INDEX "IX_RuntimeWorkloads_ImageId" ON "RuntimeWorkloads" ("ImageId");

CREATE INDEX "IX_RuntimeWorkloads_LastSnapshotId" ON "RuntimeWorkloads" ("LastSnapshotId");

CREATE INDEX "IX_RuntimeWorkloads_Repository_Tag" ON "RuntimeWorkloads" ("Repository", "Tag");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128162859_Runtime', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
DROP TABLE "ProvisionalDecisions";

CREATE TABLE "AppSettings" (
    "Key" TEXT NOT NULL CONSTRAINT "PK_AppSettings" PRIMARY KEY,
    "Value" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);

CREATE TABLE "Attestations" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Attestations" PRIMARY KEY AUTOINCREMENT,
    "ArtifactId" INTEGER NULL,
    "SubjectDigest" TEXT NOT NULL,
    "SubjectName" TEXT NULL,
    "PredicateType" TEXT NOT NULL,
    "Builder" TEXT NULL,
    "BuildType" TEXT NULL,
    "SourceRepository" TEXT NULL,
    "SourceCommit" TEXT NULL,
    "Sha256" TEXT NOT NULL,
    "FileName" TEXT NULL,
    "UploadedAt" TEXT NOT NULL,
    "UploadedBy" TEXT NULL,
    "Verified" INTEGER NOT NULL,
    "FailureCode" TEXT NULL,
    "Reason" TEXT NULL,
    "SignerIdentity" TEXT NULL,
    "SignerIssuer" TEXT NULL,
    "SignerKeyId" TEXT NULL,
    "SignedAt" TEXT NULL,
    "TrustDomain" TEXT NULL,
    "BundleJson" TEXT NOT NULL,
    "CheckedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Attestations_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE SET NULL
);

CREATE TABLE "DecisionOrigins" (
    "DecisionId" INTEGER NOT NULL CONSTRAINT "PK_DecisionOrigins" PRIMARY KEY,
    "FindingId" INTEGER NULL,
    "SessionId" INTEGER NULL,
    "UserId" TEXT NULL,
    CONSTRAINT "FK_DecisionOrigins_Decisions_DecisionId" FOREIGN KEY ("DecisionId") REFERENCES "Decisions" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_DecisionOrigins_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE SET NULL,
    CONSTRAINT "FK_DecisionOrigins_TriageSessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "TriageSessions" ("Id") ON DELETE SET NULL
);

CREATE TABLE "EffectiveDecisions" (
    "FindingId" INTEGER NOT NULL CONSTRAINT "PK_EffectiveDecisions" PRIMARY KEY,
    "DecisionId" INTEGER NOT NULL,
    "Status" INTEGER NOT NULL,
    "Justification" TEXT NULL,
    "ScopeKind" INTEGER NOT NULL,
    "Source" TEXT NOT NULL,
    "Author" TEXT NOT NULL,
    "DecidedAt" TEXT NOT NULL,
    "ExpiresAt" TEXT NULL,
    "ComputedAt" TEXT NOT NULL,
    CONSTRAINT "FK_EffectiveDecisions_Decisions_DecisionId" FOREIGN KEY ("DecisionId") REFERENCES "Decisions" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_EffectiveDecisions_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SigningKeyRing" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_SigningKeyRing" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NOT NULL
);

CREATE TABLE "SigningKeys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_SigningKeys" PRIMARY KEY AUTOINCREMENT,
    "KeyId" TEXT NOT NULL,
    "PublicKeyPem" TEXT NOT NULL,
    "ProtectedPrivateKey" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);

CREATE TABLE "TrustedRoots" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_TrustedRoots" PRIMARY KEY AUTOINCREMENT,
    "Domain" TEXT NOT NULL,
    "Json" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "UpdatedBy" TEXT NULL
);

CREATE TABLE "TrustedSigners" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_TrustedSigners" PRIMARY KEY AUTOINCREMENT,
    "AuthorKey" TEXT NOT NULL,
    "Identity" TEXT NULL,
    "IdentityIsPattern" INTEGER NOT NULL,
    "Issuer" TEXT NULL,
    "PublicKeyPem" TEXT NULL,
    "KeyId" TEXT NULL,
    "AddedAt" TEXT NOT NULL,
    "AddedBy" TEXT NULL
);

CREATE TABLE "VexDocumentSignatures" (
    "DocumentId" INTEGER NOT NULL CONSTRAINT "PK_VexDocumentSignatures" PRIMARY KEY,
    "Verified" INTEGER NOT NULL,
    "FailureCode" TEXT NULL,
    "Reason" TEXT NULL,
    "SignerIdentity" TEXT NULL,
    "SignerIssuer" TEXT NULL,
    "SignerKeyId" TEXT NULL,
    "SignedAt" TEXT NULL,
    "TrustDomain" TEXT NULL,
    "BundleJson" TEXT NOT NULL,
    "CheckedAt" TEXT NOT NULL,
    CONSTRAINT "FK_VexDocumentSignatures_VexDocuments_DocumentId" FOREIGN KEY ("DocumentId") REFERENCES "VexDocuments" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_Attestations_ArtifactId" ON "Attestations" ("ArtifactId");

CREATE UNIQUE INDEX "IX_Attestations_Sha256" ON "Attestations" ("Sha256");

CREATE INDEX "IX_Attestations_SubjectDigest" ON "Attestations" ("SubjectDigest");

CREATE INDEX "IX_DecisionOrigins_FindingId" ON "DecisionOrigins" ("FindingId");

CREATE INDEX "IX_DecisionOrigins_SessionId" ON "DecisionOrigins" ("SessionId");

CREATE INDEX "IX_EffectiveDecisions_DecisionId" ON "EffectiveDecisions" ("DecisionId");

CREATE INDEX "IX_EffectiveDecisions_ExpiresAt" ON "EffectiveDecisions" ("ExpiresAt");

CREATE INDEX "IX_EffectiveDecisions_Status_FindingId" ON "EffectiveDecisions" ("Status", "FindingId");

CREATE UNIQUE INDEX "IX_SigningKeys_KeyId" ON "SigningKeys" ("KeyId");

CREATE UNIQUE INDEX "IX_TrustedRoots_Domain" ON "TrustedRoots" ("Domain");

CREATE INDEX "IX_TrustedSigners_AuthorKey" ON "TrustedSigners" ("AuthorKey");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128185238_VexUi', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "MetricsProblems" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_MetricsProblems" PRIMARY KEY AUTOINCREMENT,
    "RepositoryId" INTEGER NOT NULL,
    "GroupId" INTEGER NOT NULL,
    "VulnerabilityId" TEXT NOT NULL,
    "PackageType" TEXT NOT NULL,
    "PackageNamespace" TEXT NULL,
    "PackageName" TEXT NOT NULL,
    "Severity" INTEGER NOT NULL,
    "OpenedAt" TEXT NOT NULL
);

CREATE TABLE "MetricsState" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_MetricsState" PRIMARY KEY,
    "LedgerYear" INTEGER NULL,
    "LedgerWeek" INTEGER NULL,
    "LastRunAt" TEXT NULL,
    "Version" INTEGER NOT NULL
);

CREATE TABLE "WeeklySnapshots" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_WeeklySnapshots" PRIMARY KEY AUTOINCREMENT,
    "Year" INTEGER NOT NULL,
    "Week" INTEGER NOT NULL,
    "Scope" INTEGER NOT NULL,
    "ScopeId" INTEGER NOT NULL,
    "ScopeName" TEXT NOT NULL,
    "TeamId" INTEGER NULL,
    "Complete" INTEGER NOT NULL,
    "AsOf" TEXT NOT NULL,
    "ComputedAt" TEXT NOT NULL,
    "Images" INTEGER NOT NULL,
    "ImagesInProduction" INTEGER NULL,
    "Packages" INTEGER NOT NULL,
    "SizeBytes" INTEGER NULL,
    "ActiveFindings" INTEGER NOT NULL,
    "OpenCritical" INTEGER NOT NULL,
    "OpenHigh" INTEGER NOT NULL,
    "OpenMedium" INTEGER NOT NULL,
    "OpenLow" INTEGER NOT NULL,
    "OpenUnknown" INTEGER NOT NULL,
    "OpenFixable" INTEGER NOT NULL,
    "OpenAct" INTEGER NULL,
    "OpenAttend" INTEGER NULL,
    "OpenTrackStar" INTEGER NULL,
    "OpenTrack" INTEGER NULL,
    "OpenReachable" INTEGER NULL,
    "OpenLoaded" INTEGER NULL,
    "OpenKev" INTEGER NULL,
    "Decided" INTEGER NOT NULL,
    "NotAffected" INTEGER NOT NULL,
    "SlaCritical" INTEGER NOT NULL,
    "SlaHigh" INTEGER NOT NULL,
    "SlaMedium" INTEGER NOT NULL,
    "SlaLow" INTEGER NOT NULL,
    "SlaUnknown" INTEGER NOT NULL,
    "RemediatedCritical" INTEGER NOT NULL,
    "RemediatedHigh" INTEGER NOT NULL,
    "RemediatedMedium" INTEGER NOT NULL,
    "RemediatedLow" INTEGER NOT NULL,
    "RemediatedUnknown" INTEGER NOT NULL,
    "RemediationDaysCritical" REAL NOT NULL,
    "RemediationDaysHigh" REAL NOT NULL,
    "RemediationDaysMedium" REAL NOT NULL,
    "RemediationDaysLow" REAL NOT NULL,
    "RemediationDaysUnknown" REAL NOT NULL,
    "OpenAtStart" INTEGER NOT NULL,
    "RemovedWithPackage" INTEGER NOT NULL,
    "FixedByUpgrade" INTEGER NOT NULL,
    "SuppressedByDecision" INTEGER NOT NULL,
    "NewlyDisclosed" INTEGER NOT NULL,
    "IntroducedByPackage" INTEGER NOT NULL,
    "DecisionsLifted" INTEGER NOT NULL,
    "Withdrawn" INTEGER NOT NULL
);

CREATE UNIQUE INDEX "IX_WeeklySnapshots_Scope_ScopeId_Year_Week" ON "WeeklySnapshots" ("Scope", "ScopeId", "Year", "Week");

CREATE INDEX "IX_WeeklySnapshots_Year_Week_Scope" ON "WeeklySnapshots" ("Year", "Week", "Scope");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128185533_Metrics', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "AuditEvents" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditEvents" PRIMARY KEY AUTOINCREMENT,
    "At" TEXT NOT NULL,
    "Action" TEXT NOT NULL,
    "Actor" TEXT NOT NULL,
    "ActorId" TEXT NULL,
    "Channel" TEXT NOT NULL,
    "Address" TEXT NULL,
    "TargetType" TEXT NULL,
    "Target" TEXT NULL,
    "Details" TEXT NULL,
    "Succeeded" INTEGER NOT NULL
);

CREATE INDEX "IX_AuditEvents_Action_At" ON "AuditEvents" ("Action", "At");

CREATE INDEX "IX_AuditEvents_ActorId" ON "AuditEvents" ("ActorId");

CREATE INDEX "IX_AuditEvents_At" ON "AuditEvents" ("At");

CREATE TRIGGER "AuditEvents_NoUpdate" BEFORE UPDATE ON "AuditEvents" BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TRIGGER "AuditEvents_NoDelete" BEFORE DELETE ON "AuditEvents" BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128190055_Audit', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
DROP INDEX "IX_Findings_Active_Severity";

ALTER TABLE "Findings" ADD "PackageName" TEXT NOT NULL DEFAULT '';

ALTER TABLE "Findings" ADD "ScannerMask" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "Findings" ADD "VulnerabilityId" TEXT NOT NULL DEFAULT '';

CREATE TABLE "FindingRollups" (
    "ArtifactId" INTEGER NOT NULL,
    "Severity" INTEGER NOT NULL,
    "FixAvailable" INTEGER NOT NULL,
    "ScannerMask" INTEGER NOT NULL,
    "Count" INTEGER NOT NULL,
    CONSTRAINT "PK_FindingRollups" PRIMARY KEY ("ArtifactId", "Severity", "FixAvailable", "ScannerMask"),
    CONSTRAINT "FK_FindingRollups_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE
);

UPDATE "Findings" SET "PackageName" = (SELECT p."Name" FROM "Packages" p WHERE p."Id" = "Findings"."PackageId"), "VulnerabilityId" = (SELECT g."CanonicalId" FROM "AliasGroups" g WHERE g."Id" = "Findings"."GroupId"), "ScannerMask" = (SELECT COALESCE(SUM(DISTINCT CASE o."Scanner" WHEN 'trivy' THEN 1 WHEN 'grype' THEN 2 WHEN 'snyk' THEN 4 ELSE 0 END), 0) FROM "Observations" o WHERE o."FindingId" = "Findings"."Id" AND o."Active") WHERE 1 = 1;

DELETE FROM "FindingRollups" WHERE 1 = 1;

INSERT INTO "FindingRollups" ("ArtifactId", "Severity", "FixAvailable", "ScannerMask", "Count") SELECT "ArtifactId", "Severity", "FixAvailable", "ScannerMask", COUNT(*) FROM "Findings" WHERE "Active" AND 1 = 1 GROUP BY "ArtifactId", "Severity", "FixAvailable", "ScannerMask";

CREATE INDEX "IX_Findings_Open_GroupId_Severity_FixAvailable_ArtifactId" ON "Findings" ("GroupId", "Severity", "FixAvailable", "ArtifactId", "Active") WHERE "Active";

CREATE INDEX "IX_Findings_Open_PackageName_Id" ON "Findings" ("PackageName", "Id") WHERE "Active";

CREATE INDEX "IX_Findings_Open_Severity_Id" ON "Findings" ("Severity" DESC, "Id") WHERE "Active";

CREATE INDEX "IX_Findings_Open_VulnerabilityId_Id" ON "Findings" ("VulnerabilityId", "Id") WHERE "Active";

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128211314_QueryScale', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "DecidedFindingRollups" (
    "ArtifactId" INTEGER NOT NULL,
    "Severity" INTEGER NOT NULL,
    "FixAvailable" INTEGER NOT NULL,
    "ScannerMask" INTEGER NOT NULL,
    "Count" INTEGER NOT NULL,
    CONSTRAINT "PK_DecidedFindingRollups" PRIMARY KEY ("ArtifactId", "Severity", "FixAvailable", "ScannerMask"),
    CONSTRAINT "FK_DecidedFindingRollups_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE
);

CREATE TABLE "PackageRollupKeys" (
    "PackageId" INTEGER NOT NULL CONSTRAINT "PK_PackageRollupKeys" PRIMARY KEY,
    "SourceName" TEXT NOT NULL,
    CONSTRAINT "FK_PackageRollupKeys_Packages_PackageId" FOREIGN KEY ("PackageId") REFERENCES "Packages" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SourcePackageRollupParts" (
    "ArtifactId" INTEGER NOT NULL,
    "PackageType" TEXT NOT NULL,
    "SourceName" TEXT NOT NULL,
    "MaxSeverity" INTEGER NOT NULL,
    "Findings" INTEGER NOT NULL,
    "Fixable" INTEGER NOT NULL,
    CONSTRAINT "PK_SourcePackageRollupParts" PRIMARY KEY ("ArtifactId", "PackageType", "SourceName"),
    CONSTRAINT "FK_SourcePackageRollupParts_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE
);

CREATE TABLE "SourcePackageRollups" (
    "PackageType" TEXT NOT NULL,
    "SourceName" TEXT NOT NULL,
    "MaxSeverity" INTEGER NOT NULL,
    "Findings" INTEGER NOT NULL,
    "Images" INTEGER NOT NULL,
    "Fixable" INTEGER NOT NULL,
    "WorstCritical" INTEGER NOT NULL,
    "WorstHigh" INTEGER NOT NULL,
    "WorstMedium" INTEGER NOT NULL,
    "WorstLow" INTEGER NOT NULL,
    "WorstUnknown" INTEGER NOT NULL,
    CONSTRAINT "PK_SourcePackageRollups" PRIMARY KEY ("PackageType", "SourceName")
);

CREATE TABLE "VulnerabilityRollupParts" (
    "ArtifactId" INTEGER NOT NULL,
    "GroupId" INTEGER NOT NULL,
    "MaxSeverity" INTEGER NOT NULL,
    "Findings" INTEGER NOT NULL,
    "Fixable" INTEGER NOT NULL,
    CONSTRAINT "PK_VulnerabilityRollupParts" PRIMARY KEY ("ArtifactId", "GroupId"),
    CONSTRAINT "FK_VulnerabilityRollupParts_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE
);

CREATE TABLE "VulnerabilityRollups" (
    "GroupId" INTEGER NOT NULL CONSTRAINT "PK_VulnerabilityRollups" PRIMARY KEY,
    "MaxSeverity" INTEGER NOT NULL,
    "Findings" INTEGER NOT NULL,
    "Images" INTEGER NOT NULL,
    "Fixable" INTEGER NOT NULL,
    "WorstCritical" INTEGER NOT NULL,
    "WorstHigh" INTEGER NOT NULL,
    "WorstMedium" INTEGER NOT NULL,
    "WorstLow" INTEGER NOT NULL,
    "WorstUnknown" INTEGER NOT NULL
);

DELETE FROM "DecidedFindingRollups" WHERE 1 = 1;

INSERT INTO "DecidedFindingRollups" ("ArtifactId", "Severity", "FixAvailable", "ScannerMask", "Count") SELECT "ArtifactId", "Severity", "FixAvailable", "ScannerMask", COUNT(*) FROM "Findings" WHERE "Active" AND 1 = 1 AND EXISTS (SELECT 1 FROM "EffectiveDecisions" e WHERE e."FindingId" = "Findings"."Id") GROUP BY "ArtifactId", "Severity", "FixAvailable", "ScannerMask" ON CONFLICT ("ArtifactId", "Severity", "FixAvailable", "ScannerMask") DO UPDATE SET "Count" = excluded."Count";

INSERT INTO "VulnerabilityRollups" ("GroupId", "MaxSeverity", "Findings", "Images", "Fixable", "WorstCritical", "WorstHigh", "WorstMedium", "WorstLow", "WorstUnknown") SELECT "GroupId", MAX("MaxSeverity"), -SUM("Findings"), -COUNT(*), -SUM("Fixable"), -SUM(CASE WHEN "MaxSeverity" = 4 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 3 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 2 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 1 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 0 THEN 1 ELSE 0 END) FROM "VulnerabilityRollupParts" WHERE 1 = 1 GROUP BY "GroupId" ON CONFLICT ("GroupId") DO UPDATE SET "Findings" = "VulnerabilityRollups"."Findings" + excluded."Findings", "Images" = "VulnerabilityRollups"."Images" + excluded."Images", "Fixable" = "VulnerabilityRollups"."Fixable" + excluded."Fixable", "WorstCritical" = "VulnerabilityRollups"."WorstCritical" + excluded."WorstCritical", "WorstHigh" = "VulnerabilityRollups"."WorstHigh" + excluded."WorstHigh", "WorstMedium" = "VulnerabilityRollups"."WorstMedium" + excluded."WorstMedium", "WorstLow" = "VulnerabilityRollups"."WorstLow" + excluded."WorstLow", "WorstUnknown" = "VulnerabilityRollups"."WorstUnknown" + excluded."WorstUnknown", "MaxSeverity" = CASE WHEN "VulnerabilityRollups"."WorstCritical" + excluded."WorstCritical" > 0 THEN 4 WHEN "VulnerabilityRollups"."WorstHigh" + excluded."WorstHigh" > 0 THEN 3 WHEN "VulnerabilityRollups"."WorstMedium" + excluded."WorstMedium" > 0 THEN 2 WHEN "VulnerabilityRollups"."WorstLow" + excluded."WorstLow" > 0 THEN 1 ELSE 0 END;

DELETE FROM "VulnerabilityRollups" WHERE "Images" <= 0 AND "GroupId" IN (SELECT "GroupId" FROM "VulnerabilityRollupParts" WHERE 1 = 1);

DELETE FROM "VulnerabilityRollupParts" WHERE 1 = 1;

INSERT INTO "VulnerabilityRollupParts" ("ArtifactId", "GroupId", "MaxSeverity", "Findings", "Fixable") SELECT f."ArtifactId", f."GroupId", MAX(f."Severity"), COUNT(*), SUM(CASE WHEN f."FixAvailable" THEN 1 ELSE 0 END) FROM "Findings" f WHERE f."Active" AND 1 = 1 GROUP BY f."ArtifactId", f."GroupId";

INSERT INTO "VulnerabilityRollups" ("GroupId", "MaxSeverity", "Findings", "Images", "Fixable", "WorstCritical", "WorstHigh", "WorstMedium", "WorstLow", "WorstUnknown") SELECT "GroupId", MAX("MaxSeverity"), SUM("Findings"), COUNT(*), SUM("Fixable"), SUM(CASE WHEN "MaxSeverity" = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 0 THEN 1 ELSE 0 END) FROM "VulnerabilityRollupParts" WHERE 1 = 1 GROUP BY "GroupId" ON CONFLICT ("GroupId") DO UPDATE SET "Findings" = "VulnerabilityRollups"."Findings" + excluded."Findings", "Images" = "VulnerabilityRollups"."Images" + excluded."Images", "Fixable" = "VulnerabilityRollups"."Fixable" + excluded."Fixable", "WorstCritical" = "VulnerabilityRollups"."WorstCritical" + excluded."WorstCritical", "WorstHigh" = "VulnerabilityRollups"."WorstHigh" + excluded."WorstHigh", "WorstMedium" = "VulnerabilityRollups"."WorstMedium" + excluded."WorstMedium", "WorstLow" = "VulnerabilityRollups"."WorstLow" + excluded."WorstLow", "WorstUnknown" = "VulnerabilityRollups"."WorstUnknown" + excluded."WorstUnknown", "MaxSeverity" = CASE WHEN "VulnerabilityRollups"."WorstCritical" + excluded."WorstCritical" > 0 THEN 4 WHEN "VulnerabilityRollups"."WorstHigh" + excluded."WorstHigh" > 0 THEN 3 WHEN "VulnerabilityRollups"."WorstMedium" + excluded."WorstMedium" > 0 THEN 2 WHEN "VulnerabilityRollups"."WorstLow" + excluded."WorstLow" > 0 THEN 1 ELSE 0 END;

INSERT INTO "SourcePackageRollups" ("PackageType", "SourceName", "MaxSeverity", "Findings", "Images", "Fixable", "WorstCritical", "WorstHigh", "WorstMedium", "WorstLow", "WorstUnknown") SELECT "PackageType", "SourceName", MAX("MaxSeverity"), -SUM("Findings"), -COUNT(*), -SUM("Fixable"), -SUM(CASE WHEN "MaxSeverity" = 4 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 3 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 2 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 1 THEN 1 ELSE 0 END), -SUM(CASE WHEN "MaxSeverity" = 0 THEN 1 ELSE 0 END) FROM "SourcePackageRollupParts" WHERE 1 = 1 GROUP BY "PackageType", "SourceName" ON CONFLICT ("PackageType", "SourceName") DO UPDATE SET "Findings" = "SourcePackageRollups"."Findings" + excluded."Findings", "Images" = "SourcePackageRollups"."Images" + excluded."Images", "Fixable" = "SourcePackageRollups"."Fixable" + excluded."Fixable", "WorstCritical" = "SourcePackageRollups"."WorstCritical" + excluded."WorstCritical", "WorstHigh" = "SourcePackageRollups"."WorstHigh" + excluded."WorstHigh", "WorstMedium" = "SourcePackageRollups"."WorstMedium" + excluded."WorstMedium", "WorstLow" = "SourcePackageRollups"."WorstLow" + excluded."WorstLow", "WorstUnknown" = "SourcePackageRollups"."WorstUnknown" + excluded."WorstUnknown", "MaxSeverity" = CASE WHEN "SourcePackageRollups"."WorstCritical" + excluded."WorstCritical" > 0 THEN 4 WHEN "SourcePackageRollups"."WorstHigh" + excluded."WorstHigh" > 0 THEN 3 WHEN "SourcePackageRollups"."WorstMedium" + excluded."WorstMedium" > 0 THEN 2 WHEN "SourcePackageRollups"."WorstLow" + excluded."WorstLow" > 0 THEN 1 ELSE 0 END;

DELETE FROM "SourcePackageRollups" WHERE "Images" <= 0 AND ("PackageType", "SourceName") IN (SELECT "PackageType", "SourceName" FROM "SourcePackageRollupParts" WHERE 1 = 1);

DELETE FROM "SourcePackageRollupParts" WHERE 1 = 1;

INSERT INTO "SourcePackageRollupParts" ("ArtifactId", "PackageType", "SourceName", "MaxSeverity", "Findings", "Fixable") SELECT f."ArtifactId", p."Type", COALESCE(p."SourceName", p."Name"), MAX(f."Severity"), COUNT(*), SUM(CASE WHEN f."FixAvailable" THEN 1 ELSE 0 END) FROM "Findings" f JOIN "Packages" p ON p."Id" = f."PackageId" WHERE f."Active" AND 1 = 1 GROUP BY f."ArtifactId", p."Type", COALESCE(p."SourceName", p."Name");

INSERT INTO "SourcePackageRollups" ("PackageType", "SourceName", "MaxSeverity", "Findings", "Images", "Fixable", "WorstCritical", "WorstHigh", "WorstMedium", "WorstLow", "WorstUnknown") SELECT "PackageType", "SourceName", MAX("MaxSeverity"), SUM("Findings"), COUNT(*), SUM("Fixable"), SUM(CASE WHEN "MaxSeverity" = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN "MaxSeverity" = 0 THEN 1 ELSE 0 END) FROM "SourcePackageRollupParts" WHERE 1 = 1 GROUP BY "PackageType", "SourceName" ON CONFLICT ("PackageType", "SourceName") DO UPDATE SET "Findings" = "SourcePackageRollups"."Findings" + excluded."Findings", "Images" = "SourcePackageRollups"."Images" + excluded."Images", "Fixable" = "SourcePackageRollups"."Fixable" + excluded."Fixable", "WorstCritical" = "SourcePackageRollups"."WorstCritical" + excluded."WorstCritical", "WorstHigh" = "SourcePackageRollups"."WorstHigh" + excluded."WorstHigh", "WorstMedium" = "SourcePackageRollups"."WorstMedium" + excluded."WorstMedium", "WorstLow" = "SourcePackageRollups"."WorstLow" + excluded."WorstLow", "WorstUnknown" = "SourcePackageRollups"."WorstUnknown" + excluded."WorstUnknown", "MaxSeverity" = CASE WHEN "SourcePackageRollups"."WorstCritical" + excluded."WorstCritical" > 0 THEN 4 WHEN "SourcePackageRollups"."WorstHigh" + excluded."WorstHigh" > 0 THEN 3 WHEN "SourcePackageRollups"."WorstMedium" + excluded."WorstMedium" > 0 THEN 2 WHEN "SourcePackageRollups"."WorstLow" + excluded."WorstLow" > 0 THEN 1 ELSE 0 END;

INSERT INTO "PackageRollupKeys" ("PackageId", "SourceName") SELECT p."Id", COALESCE(p."SourceName", p."Name") FROM "Packages" p WHERE p."Id" IN (SELECT "PackageId" FROM "Findings");

CREATE INDEX "IX_SourcePackageRollups_MaxSeverity_Findings_SourceName_PackageType" ON "SourcePackageRollups" ("MaxSeverity" DESC, "Findings" DESC, "SourceName", "PackageType");

CREATE INDEX "IX_VulnerabilityRollups_MaxSeverity_Findings_GroupId" ON "VulnerabilityRollups" ("MaxSeverity" DESC, "Findings" DESC, "GroupId");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261128235958_VulnerabilityRollups', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "PriorityRollups" (
    "ArtifactId" INTEGER NOT NULL,
    "Priority" INTEGER NOT NULL,
    "Count" INTEGER NOT NULL,
    CONSTRAINT "PK_PriorityRollups" PRIMARY KEY ("ArtifactId", "Priority"),
    CONSTRAINT "FK_PriorityRollups_Artifacts_ArtifactId" FOREIGN KEY ("ArtifactId") REFERENCES "Artifacts" ("Id") ON DELETE CASCADE
);

DELETE FROM "PriorityRollups" WHERE 1 = 1;

INSERT INTO "PriorityRollups" ("ArtifactId", "Priority", "Count") SELECT f."ArtifactId", r."Priority", COUNT(*) FROM "Findings" f JOIN "FindingRisks" r ON r."FindingId" = f."Id" WHERE f."Active" AND NOT r."Excluded" AND 1 = 1 GROUP BY f."ArtifactId", r."Priority";

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261129024455_PriorityRollups', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "FindingVerdicts" ADD "VerdictSince" TEXT NOT NULL DEFAULT '0001-01-01 00:00:00';

ALTER TABLE "FindingRisks" ADD "PrioritySince" TEXT NOT NULL DEFAULT '0001-01-01 00:00:00';

UPDATE "FindingVerdicts" SET "VerdictSince" = "ComputedAt";

UPDATE "FindingRisks" SET "PrioritySince" = "ComputedAt";

INSERT INTO "AppSettings" ("Key", "Value", "UpdatedAt") SELECT 'metrics.verdicts_recorded_since', m."At", m."At" FROM (SELECT MAX("ComputedAt") AS "At" FROM "FindingVerdicts") m WHERE m."At" IS NOT NULL;

CREATE TABLE "FindingRiskPeriods" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_FindingRiskPeriods" PRIMARY KEY AUTOINCREMENT,
    "FindingId" INTEGER NOT NULL,
    "Priority" INTEGER NULL,
    "Verdict" INTEGER NULL,
    "Since" TEXT NOT NULL,
    "Until" TEXT NOT NULL,
    CONSTRAINT "CK_FindingRiskPeriods_OneValue" CHECK (("Priority" IS NULL) <> ("Verdict" IS NULL)),
    CONSTRAINT "FK_FindingRiskPeriods_Findings_FindingId" FOREIGN KEY ("FindingId") REFERENCES "Findings" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_FindingRiskPeriods_FindingId" ON "FindingRiskPeriods" ("FindingId");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261130135851_RiskPeriods', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "RuntimeSnapshots" ADD "Coverage" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "RuntimeSnapshots" ADD "CoverageScope" TEXT NOT NULL DEFAULT '';

ALTER TABLE "RuntimeSnapshots" ADD "CoverageStated" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "RuntimeEvidenceFiles" ADD "Coverage" TEXT NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261130141221_InventoryCoverage', '10.0.15');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "FindingVerdicts" ADD "FromRunningImage" INTEGER NOT NULL DEFAULT 0;

UPDATE "FindingVerdicts" SET "FromRunningImage" = 1 WHERE "SourcesJson" LIKE '%running-image-packages:%' OR "NotesJson" LIKE '%running image%';

CREATE INDEX "IX_FindingVerdicts_FromRunningImage" ON "FindingVerdicts" ("FindingId", "FromRunningImage") WHERE "FromRunningImage";

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261130213105_VerdictFromRunningImage', '10.0.15');

COMMIT;

