using System.Runtime.CompilerServices;

namespace Triage.Testing;

/// <summary>Where the repository and the shared fixtures are, seen from a test.</summary>
public static class TestPaths
{
    /// <summary>The repository root: the folder that holds Triage.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared/fixtures beside the clone (CI has it there).</summary>
    public static string SharedFixtures { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "fixtures"));

    public static bool SharedFixturesPresent => Directory.Exists(SharedFixtures);

    /// <summary>True when running in CI, where missing shared fixtures must fail tests instead of skipping them.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A file under ../shared/fixtures; fails (in CI or not) if it is missing while the folder exists.</summary>
    public static string Fixture(params string[] parts)
    {
        if (!SharedFixturesPresent)
            throw new InvalidOperationException($"The shared fixtures folder {SharedFixtures} is missing (CI={Environment.GetEnvironmentVariable("CI")}).");
        var path = Path.Combine([SharedFixtures, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"Shared fixture not found: {path}");
        return path;
    }

    /// <summary>A file under tests/&lt;project&gt;/Fixtures written for this repository.</summary>
    public static string Local(string project, params string[] parts) => Path.Combine([RepoRoot, "tests", project, "Fixtures", .. parts]);

    private static string FindRepoRoot([CallerFilePath] string thisFile = "")
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Triage.sln"))) return d.FullName;
        // Fallback: this source file lives in tests/Shared.
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
    }
}

/// <summary>A fact that needs ../shared/fixtures: skipped on a developer machine without them, but run (and failing) in CI.</summary>
public sealed class FixtureFactAttribute : FactAttribute
{
    public FixtureFactAttribute()
    {
        if (!TestPaths.SharedFixturesPresent && !TestPaths.InCi) Skip = $"shared fixtures not found at {TestPaths.SharedFixtures}";
    }
}

/// <summary>A theory over shared fixtures: skipped without them outside CI, failing in CI.</summary>
public sealed class FixtureTheoryAttribute : TheoryAttribute
{
    public FixtureTheoryAttribute()
    {
        if (!TestPaths.SharedFixturesPresent && !TestPaths.InCi) Skip = $"shared fixtures not found at {TestPaths.SharedFixtures}";
    }
}
