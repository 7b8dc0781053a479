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
VALUES ('20261128183107_Audit', '10.0.15');

COMMIT;

