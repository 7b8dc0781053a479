using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Infrastructure.Operations;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Operations;

/// <summary>A database that refuses writes (a read-only SQLite file, PostgreSQL's default_transaction_read_only): imports
/// and decisions get a clear 503, reads go on. A full disk is classified the same way.</summary>
public sealed class ReadOnlyDatabaseTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ReadOnlyDatabase_RefusesImportsAndDecisionsClearly_AndKeepsServingReads(string provider)
    {
        // Seed through a writable instance: an admin, a token, a report, a signed-in cookie's key ring.
        string connection, token, cookie;
        long findingId;
        await using (var writable = new OperationsFactory(provider))
        {
            var api = await writable.TriagerApiAsync("ro@example.test");
            token = api.DefaultRequestHeaders.Authorization!.Parameter!;
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/scans", OperationsFactory.Json(SyntheticReports.Trivy(30)))).StatusCode);
            cookie = await writable.SignInCookieAsync(TriageWebFactory.AdminEmail);
            await using var db = writable.Db();
            findingId = await db.Findings.OrderBy(f => f.Id).Select(f => f.Id).FirstAsync();
            connection = writable.AppConnectionString;
        }

        // The same database, now refusing writes.
        if (provider == TestDatabases.Sqlite)
        {
            connection = new SqliteConnectionStringBuilder(connection) { Mode = SqliteOpenMode.ReadOnly }.ToString();
        }
        else
        {
            var name = new NpgsqlConnectionStringBuilder(connection).Database;
            await using var admin = new NpgsqlConnection(TestDatabases.PostgresAdmin);
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"ALTER DATABASE \"{name}\" SET default_transaction_read_only = on", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        TestDatabases.ClearPools();

        await using var app = new OperationsFactory(provider, new Dictionary<string, string?> { ["ConnectionStrings:Triage"] = connection });
        var client = app.TokenClient(token);

        var upload = await client.PostAsync("/api/v1/scans", OperationsFactory.Json(SyntheticReports.Trivy(31)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        using (var problem = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()))
        {
            Assert.Equal("database_read_only", problem.RootElement.GetProperty("code").GetString());
            Assert.Contains("read-only", problem.RootElement.GetProperty("detail").GetString());
        }

        var decide = await client.PostAsync("/api/v1/decisions", new StringContent(
            $"{{\"findings\":[{findingId}],\"level\":\"digest\",\"status\":\"affected\",\"action\":\"upgrade\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, decide.StatusCode);
        Assert.Contains("database_read_only", await decide.Content.ReadAsStringAsync());

        var findings = await client.GetAsync("/api/v1/findings");
        Assert.Equal(HttpStatusCode.OK, findings.StatusCode);
        Assert.Contains("CVE-", await findings.Content.ReadAsStringAsync());
        // Signing in records the time (a write); people already signed in go on reading.
        Assert.Equal(HttpStatusCode.OK, (await app.GetWithCookieAsync("/findings", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetWithCookieAsync("/", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public void FullDisksAndReadOnlyDatabases_AreToldApart_FromTransientFailures()
    {
        Assert.Equal(StorageFault.Full, StorageFaults.Classify(new SqliteException("database or disk is full", 13)));
        Assert.Equal(StorageFault.ReadOnly, StorageFaults.Classify(new SqliteException("attempt to write a readonly database", 8)));
        Assert.Equal(StorageFault.Transient, StorageFaults.Classify(new SqliteException("database is locked", 5)));
        Assert.Equal(StorageFault.Full, StorageFaults.Classify(new PostgresException("could not extend file", "ERROR", "ERROR", "53100")));
        Assert.Equal(StorageFault.ReadOnly, StorageFaults.Classify(
            new DbUpdateException("wrapped", new PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", "25006"))));
        Assert.Equal(StorageFault.Transient, StorageFaults.Classify(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")));
        Assert.Equal(StorageFault.None, StorageFaults.Classify(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.Contains("disk is full", StorageFaults.Describe(StorageFault.Full));
    }
}
