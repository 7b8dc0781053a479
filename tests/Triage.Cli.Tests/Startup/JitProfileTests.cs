using System.Diagnostics;

namespace Triage.Cli.Tests.Startup;

public sealed class JitProfileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "triage-tests", "jit-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(new[] { "ingest", "--db", "Data Source=x.db", "a.json" }, "ingest.jitprofile")]
    [InlineData(new[] { "ingest", "a.json", "b.json" }, "ingest.jitprofile")]
    [InlineData(new[] { "runtime", "ingest", "--cluster", "prod", "pods.json" }, "runtime-ingest.jitprofile")]
    [InlineData(new[] { "vex", "export", "openvex" }, "vex-export.jitprofile")]
    [InlineData(new[] { "--help" }, "other.jitprofile")]
    [InlineData(new string[0], "other.jitprofile")]
    [InlineData(new[] { "../../etc/passwd" }, "other.jitprofile")]
    [InlineData(new[] { "INGEST" }, "other.jitprofile")]
    [InlineData(new[] { "ingest", "report" }, "ingest.jitprofile")]            // a file named without an extension
    [InlineData(new[] { "vex", "export", "--db", "x" }, "vex-export.jitprofile")]
    public void The_profile_is_named_after_the_command_words_only(string[] args, string expected) =>
        Assert.Equal(expected, JitProfile.ProfileName(args));

    [Fact]
    public void The_commands_with_subcommands_are_those_of_the_command_tree() =>
        Assert.Equal(CliApp.Build().Subcommands.Where(c => c.Subcommands.Count > 0).Select(c => c.Name).Order(), JitProfile.CommandGroups.Order());

    [Fact]
    public void The_directory_comes_from_the_override_then_the_XDG_cache_then_home()
    {
        var env = new Dictionary<string, string?> { ["TRIAGE_JIT_PROFILE_DIR"] = "/x/jit", ["XDG_CACHE_HOME"] = "/c", ["HOME"] = "/h" };
        Assert.Equal("/x/jit", JitProfile.Directory(k => env.GetValueOrDefault(k)));
        env.Remove("TRIAGE_JIT_PROFILE_DIR");
        Assert.Equal("/c/triage/jit", JitProfile.Directory(k => env.GetValueOrDefault(k)));
        env["XDG_CACHE_HOME"] = "relative";   // the XDG spec: a relative path is invalid and ignored
        Assert.Equal("/h/.cache/triage/jit", JitProfile.Directory(k => env.GetValueOrDefault(k)));
        env.Remove("HOME");
        Assert.Null(JitProfile.Directory(k => env.GetValueOrDefault(k)));
    }

    [Fact]
    public void A_directory_that_cannot_be_made_leaves_the_command_as_it_was()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a directory");
        var env = new Dictionary<string, string?> { ["TRIAGE_JIT_PROFILE_DIR"] = Path.Combine(file, "jit") };
        Assert.Null(JitProfile.Start(["ingest"], k => env.GetValueOrDefault(k)));
        env["TRIAGE_JIT_PROFILE_DIR"] = _dir;
        env["TRIAGE_JIT_PROFILE"] = "0";
        Assert.Null(JitProfile.Start(["ingest"], k => env.GetValueOrDefault(k)));
        Assert.Equal(["a-file"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_run_records_its_command_profile_and_the_next_run_plays_it_with_the_same_result()
    {
        var db = $"Data Source={Path.Combine(_dir, "t.db")}";
        Directory.CreateDirectory(_dir);
        var first = await RunCli(["findings", "--db", db, "--format", "json"]);
        var profile = Path.Combine(_dir, "jit", "findings.jitprofile");
        Assert.True(File.Exists(profile), first);
        Assert.True(new FileInfo(profile).Length > 1000, $"profile of {new FileInfo(profile).Length} bytes");
        var second = await RunCli(["findings", "--db", db, "--format", "json"]);
        Assert.Equal(first, second);
        Assert.Equal(["findings.jitprofile"], Directory.GetFiles(Path.Combine(_dir, "jit")).Select(Path.GetFileName));

        // A profile the runtime cannot read (another process cut it short, a disk error) is ignored and written anew.
        var good = await File.ReadAllBytesAsync(profile);
        await File.WriteAllBytesAsync(profile, [.. good.AsSpan(0, good.Length / 3), .. new byte[5000].Select((_, i) => (byte)(i * 7919))]);
        Assert.Equal(first, await RunCli(["findings", "--db", db, "--format", "json"]));
        Assert.True(new FileInfo(profile).Length > 1000);

        // A directory the runtime cannot write the profile into (sysfs refuses new files even to root): the command runs
        // and ends as it would without a profile.
        Assert.True(Directory.Exists("/sys/kernel"), "the test needs Linux's /sys");
        Assert.Equal(first, await RunCli(["findings", "--db", db, "--format", "json"], ("TRIAGE_JIT_PROFILE_DIR", "/sys/kernel")));
        Assert.False(File.Exists("/sys/kernel/findings.jitprofile"));

        var off = await RunCli(["--help"], ("TRIAGE_JIT_PROFILE", "0"));
        Assert.Contains("ingest", off);
        Assert.False(File.Exists(Path.Combine(_dir, "jit", "other.jitprofile")));
    }

    /// <summary>Runs the built `triage` as its own process (the profile is the process's own, written when it ends).</summary>
    private async Task<string> RunCli(string[] args, params (string Name, string Value)[] env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "triage.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TRIAGE_JIT_PROFILE_DIR"] = Path.Combine(_dir, "jit");
        foreach (var (name, value) in env) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {await stderr}");
        return await stdout;
    }
}
