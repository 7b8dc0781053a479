using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>
/// The bulk write path of a decision (<see cref="BulkDecisionRowWriter"/>: SQLite prepared commands, PostgreSQL binary COPY)
/// against the single path (EF Core entities), on both providers: the same rows, byte for byte as the database holds them;
/// all or nothing; the author and the signed-in user recorded.
/// </summary>
public class DecisionBulkWriteTests
{
    /// <summary>The tables a decision writes, each with the order its rows are compared in.</summary>
    private static readonly (string Table, string OrderBy)[] Written =
    [
        ("Decisions", "\"Id\""),
        ("DecisionVulnerabilityIds", "\"DecisionId\", \"VulnKey\""),
        ("DecisionOrigins", "\"DecisionId\""),
        ("EffectiveDecisions", "\"FindingId\""),
        ("DecidedFindingRollups", "\"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\""),
    ];

    /// <summary>Two images of one repository and one of another, 40 findings each; D3's repository has a team.</summary>
    private static async Task<VexWorld> SeedAsync(string provider, DateTimeOffset? clock = null)
    {
        var w = new VexWorld(provider);
        if (clock is { } c) w.Clock.Now = c;
        var claims = Enumerable.Range(0, 40).Select(i => ($"CVE-2024-{1000 + i}", $"pkg{i % 9}", "1.0.0-r0")).ToArray();
        await w.Scan(Image($"{App}:1", D1, claims));
        await w.Scan(Image($"{App}:2", D2, claims));
        await w.Scan(Image("docker.io/library/other:1", D3, claims));
        return w;
    }

    /// <summary>Every row of the tables a decision writes, as the database holds it (type and value of each column). A
    /// statement id is random, so only its form is kept (its type, length and the case of its letters).</summary>
    internal static async Task<Dictionary<string, List<string>>> DumpAsync(string connection, IEnumerable<(string Table, string OrderBy)>? tables = null)
    {
        await using var db = TriageDatabase.CreateContext(connection);
        await db.Database.OpenConnectionAsync();
        var result = new Dictionary<string, List<string>>();
        foreach (var (table, orderBy) in tables ?? Written)
        {
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\" ORDER BY {orderBy}";
            await using var r = await cmd.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await r.ReadAsync())
                rows.Add(string.Join(" | ", Enumerable.Range(0, r.FieldCount).Select(i => Cell(r, i))));
            result[table] = rows;
        }
        return result;
    }

    private static string Cell(DbDataReader r, int i)
    {
        if (r.IsDBNull(i)) return $"{r.GetName(i)}=null";
        var v = r.GetValue(i);
        var text = v switch
        {
            DateTime t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + t.Kind,
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        };
        if (r.GetName(i) == "StatementId")
            text = $"{text!.Length} chars, {(text.Any(char.IsUpper) ? "upper" : "")}{(text.Any(char.IsLower) ? "lower" : "")} case";
        return $"{r.GetName(i)}={v.GetType().Name}:{text}";
    }

    /// <summary>What a person decides in one call on the selection: every field a decision row has, text with a NUL and a
    /// private-use character (PostgreSQL stores them escaped), the concurrency check, and where it was made.</summary>
    private static DecisionRequest Bulk(IReadOnlyList<long> findings, DecisionScopeKind scope, IReadOnlyDictionary<long, long?> seen, DateTimeOffset now) => new()
    {
        Target = new DecisionTarget.Findings(findings, scope),
        Status = VexStatus.NotAffected,
        Justification = VexJustification.VulnerableCodeNotInExecutePath,
        ImpactStatement = "The parser is never\u0000reached; \uE000 stays as typed.",
        Responses = [CycloneDxResponse.WillNotFix, CycloneDxResponse.Update],
        Author = "Alice Example",
        ExpiresAt = now.AddDays(90),
        Notes = "bulk, see ticket SEC-42",
        Seen = seen,
        Origin = new DecisionOriginInfo(findings[0], null, "user-alice"),
    };

    /// <summary>The same history of decisions recorded through each path: a single one by bob, then a bulk one at digest
    /// scope over two images (replacing bob's on one finding), then one at repository scope over the third image.</summary>
    private static async Task<List<DecisionOutcome>> DecideAsync(VexWorld w, DecisionWritePath path)
    {
        var service = new DecisionService(w.Connection, w.Clock) { WritePath = path };
        var all = await w.Findings();
        var bob = await service.RecordAsync(Affected("CVE-2024-1000", AtImage(D1), "bob"));
        w.Clock.Advance(TimeSpan.FromMinutes(1));
        var selected = all.Where(f => f.Digest != D3).ToList();
        var seen = selected.ToDictionary(f => f.Id, f => f.Digest == D1 && f.Vulnerability.Id == "CVE-2024-1000" ? bob.Decisions[0].Id : (long?)null);
        var digest = await service.RecordAsync(Bulk(selected.Select(f => f.Id).ToList(), DecisionScopeKind.Digest, seen, w.Clock.Now));
        w.Clock.Advance(TimeSpan.FromMinutes(1));
        var other = all.Where(f => f.Digest == D3).Select(f => f.Id).ToList();
        var repository = await service.RecordAsync(Bulk(other, DecisionScopeKind.Repository, other.ToDictionary(id => id, _ => (long?)null), w.Clock.Now));
        return [bob, digest, repository];
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task BulkPath_WritesExactlyTheRowsOfTheSinglePath(string provider)
    {
        var single = await SeedAsync(provider);
        var bulk = await SeedAsync(provider, single.Clock.Now);

        var viaEntities = await DecideAsync(single, DecisionWritePath.Entities);
        var viaBulk = await DecideAsync(bulk, DecisionWritePath.Bulk);

        var expected = await DumpAsync(single.Connection);
        var actual = await DumpAsync(bulk.Connection);
        Assert.Equal(121, expected["Decisions"].Count);
        Assert.Equal(120, expected["EffectiveDecisions"].Count);
        Assert.NotEmpty(expected["DecidedFindingRollups"]);
        foreach (var (table, _) in Written) Assert.Equal(expected[table], actual[table]);
        // What the callers get back (ids, superseded decision, findings governed) is the same too.
        Assert.Equal(viaEntities.Select(Shape), viaBulk.Select(Shape));

        // Each returned statement id is the one stored under the returned row id, and the text came back whole.
        await using var db = TriageDatabase.CreateContext(bulk.Connection);
        var stored = await db.Decisions.AsNoTracking().ToDictionaryAsync(d => d.Id);
        Assert.All(viaBulk.SelectMany(o => o.Decisions), d => Assert.Equal(d.StatementId, stored[d.Id].StatementId));
        Assert.Equal("The parser is never\u0000reached; \uE000 stays as typed.", stored[viaBulk[1].Decisions[0].Id].ImpactStatement);
        Assert.Equal(["will_not_fix", "update"], stored[viaBulk[1].Decisions[0].Id].Responses);
    }

    private static string Shape(DecisionOutcome o) =>
        $"{o.Recorded} {o.Applies} {o.Governs} [{string.Join(", ", o.Decisions.Select(d => $"{d.Id}/{d.SupersedesId}/{d.Vulnerability}/{d.ScopeKind}/{d.Package}"))}] " +
        $"[{string.Join(", ", o.Findings.Select(f => $"{f.FindingId}:{f.Governs}:{f.Before?.DecisionId}"))}]";

    public static TheoryData<string, string> FailurePoints => new()
    {
        // Mid-way through the decision rows themselves, and at the last write (decisions in force) after every other row.
        { TestDatabases.Sqlite, "Decisions" },
        { TestDatabases.Sqlite, "EffectiveDecisions" },
        { TestDatabases.Postgres, "Decisions" },
        { TestDatabases.Postgres, "EffectiveDecisions" },
    };

    [Theory]
    [MemberData(nameof(FailurePoints))]
    public async Task BulkPath_FailingMidway_LeavesNothing_AndTheSameDecisionThenSucceeds(string provider, string failingTable)
    {
        var w = await SeedAsync(provider);
        var service = new DecisionService(w.Connection, w.Clock) { WritePath = DecisionWritePath.Bulk };
        await service.RecordAsync(Affected("CVE-2024-1000", AtImage(D1), "bob"));
        w.Clock.Advance(TimeSpan.FromMinutes(1));
        var selected = (await w.Findings()).Where(f => f.Digest != D3).ToList();
        var victim = selected.Single(f => f.Digest == D2 && f.Vulnerability.Id == "CVE-2024-1020");
        var condition = failingTable == "Decisions"
            ? $"NEW.\"ScopeDigest\" = '{D2}' AND NEW.\"VulnerabilityId\" = 'CVE-2024-1020'"
            : $"NEW.\"FindingId\" = {victim.Id}";
        await FailInsertsAsync(w.Connection, provider, failingTable, condition);
        var before = await DumpAsync(w.Connection);
        var request = Bulk(selected.Select(f => f.Id).ToList(), DecisionScopeKind.Digest, new Dictionary<long, long?>(), w.Clock.Now) with { Seen = null };

        // Reported as the entity path's SaveChanges reports a failed write, with the database's own error inside.
        var e = await Assert.ThrowsAsync<DbUpdateException>(() => service.RecordAsync(request));

        Assert.Contains("fail midway", Assert.IsAssignableFrom<DbException>(e.InnerException).Message);
        var after = await DumpAsync(w.Connection);
        foreach (var (table, _) in Written) Assert.Equal(before[table], after[table]);

        await ExecuteAsync(w.Connection, "DROP TRIGGER fail_midway" + (provider == TestDatabases.Postgres ? $" ON \"{failingTable}\"" : ""));
        var outcome = await service.RecordAsync(request);
        Assert.Equal((80, 80), (outcome.Decisions.Count, outcome.Governs));
        Assert.Equal(81, (await DumpAsync(w.Connection))["Decisions"].Count);
    }

    private static async Task FailInsertsAsync(string connection, string provider, string table, string condition)
    {
        if (provider == TestDatabases.Sqlite)
        {
            await ExecuteAsync(connection,
                $"CREATE TRIGGER fail_midway BEFORE INSERT ON \"{table}\" WHEN {condition} BEGIN SELECT RAISE(ABORT, 'fail midway'); END");
            return;
        }
        await ExecuteAsync(connection,
            "CREATE OR REPLACE FUNCTION fail_midway() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'fail midway'; END $$");
        await ExecuteAsync(connection,
            $"CREATE TRIGGER fail_midway BEFORE INSERT ON \"{table}\" FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION fail_midway()");
    }

    /// <summary>Test-made DDL (a trigger), run as plain ADO.</summary>
    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var db = TriageDatabase.CreateContext(connection);
        await db.Database.OpenConnectionAsync();
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The default path for a bulk selection is the bulk one, and what it writes names the person: the statement's
    /// author is their name, the origin row their user id, on every statement.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task BulkSelection_ByDefault_AttributesEveryStatementToTheSignedInUser(string provider)
    {
        var w = await SeedAsync(provider);
        var selected = (await w.Findings()).Where(f => f.Digest != D3).Select(f => f.Id).ToList();
        Assert.True(selected.Count >= DecisionRowWriter.BulkFrom);

        var outcome = await w.Decisions.RecordAsync(Bulk(selected, DecisionScopeKind.Digest, selected.ToDictionary(id => id, _ => (long?)null), w.Clock.Now));

        await using var db = TriageDatabase.CreateContext(w.Connection);
        var ids = outcome.Decisions.Select(d => d.Id).ToList();
        Assert.Equal(80, ids.Count);
        Assert.All(await db.Decisions.AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync(), d => Assert.Equal("Alice Example", d.Author));
        var origins = await db.DecisionOrigins.AsNoTracking().Where(o => ids.Contains(o.DecisionId)).ToListAsync();
        Assert.Equal(80, origins.Count);
        Assert.All(origins, o => Assert.Equal(("user-alice", selected[0]), (o.UserId!, o.FindingId!.Value)));
        Assert.Equal(80, await db.EffectiveDecisions.CountAsync(e => e.Author == "Alice Example"));
    }
}
