using System.Diagnostics;

namespace Triage.Sigstore.Tests.Support;

/// <summary>
/// The reference implementation as an oracle: npm <c>sigstore</c> 4.1.1, installed once into a cache folder, driven
/// by our own script (Interop/verify-with-sigstore-js.js).
/// </summary>
public static class SigstoreJsOracle
{
    public const string Version = "4.1.1";
    private static readonly string CacheDir =
        Environment.GetEnvironmentVariable("TRIAGE_SIGSTORE_ORACLE_CACHE") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "triage-sigstore-oracle");
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static bool NodeAvailable => OnPath("node") && OnPath("npm");

    /// <summary>Runs the oracle; returns (accepted, its output line).</summary>
    public static async Task<(bool Accepted, string Output)> VerifyAsync(string bundlePath, params string[] options)
    {
        await EnsureInstalledAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "verify-with-sigstore-js.js");
        var (code, output) = await RunAsync("node", [script, bundlePath, .. options], CacheDir,
            ("NODE_PATH", Path.Combine(CacheDir, "node_modules")));
        return (code == 0, output.Trim());
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var marker = Path.Combine(CacheDir, "node_modules", "sigstore", "package.json");
            if (File.Exists(marker) && (await File.ReadAllTextAsync(marker)).Contains($"\"version\": \"{Version}\"", StringComparison.Ordinal)) return;
            Directory.CreateDirectory(CacheDir);
            var manifest = Path.Combine(CacheDir, "package.json");
            if (!File.Exists(manifest)) await File.WriteAllTextAsync(manifest, """{"name":"triage-sigstore-oracle","private":true}""");
            var (code, output) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", $"sigstore@{Version}"], CacheDir);
            if (code != 0) throw new InvalidOperationException($"npm install sigstore@{Version} failed: {output}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, string workingDirectory, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, name)));
}
