using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Triage.Web.Tests.Operations;

/// <summary>
/// A PostgreSQL cluster of one test's own (initdb, pg_ctl) on a free loopback port, so the test may stop and restart it
/// without touching the shared test server. As root, the server runs as the postgres user (runuser), as .ci/test.sh does.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly string _dir;

    private PrivatePostgres(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        _data = Path.Combine(dir, "data");
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=triage;Database={database};Pooling=true;Timeout=5;Command Timeout=30";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("TRIAGE_TEST_PGBIN") is { Length: > 0 } b ? b
            : Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Order().Select(d => Path.Combine(d, "bin")).LastOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null) throw new InvalidOperationException("PostgreSQL is not installed (no initdb under /usr/lib/postgresql): run the tests with .ci/test.sh");
        var dir = Path.Combine(Path.GetTempPath(), $"triage-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var pg = new PrivatePostgres(bin, dir, FreePort());
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", dir]);
        await pg.PgAsync("initdb", ["-D", pg._data, "-U", "triage", "--auth=trust", "-E", "UTF8"]);
        await pg.StartServerAsync();
        return pg;
    }

    public Task StartServerAsync() => PgAsync("pg_ctl", ["-D", _data, "-l", Path.Combine(_dir, "pg.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start"]);

    /// <summary>Stops the server at once (open transactions are rolled back, clients lose their connections).</summary>
    public Task StopServerAsync() => PgAsync("pg_ctl", ["-D", _data, "-m", "fast", "-w", "-t", "60", "stop"]);

    private Task PgAsync(string tool, string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static bool IsRoot => Environment.UserName == "root";

    private static async Task RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(timeout.Token);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await output}{await error}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try { await PgAsync("pg_ctl", ["-D", _data, "-m", "immediate", "stop"]); }
        catch (InvalidOperationException) { /* already stopped */ }
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
