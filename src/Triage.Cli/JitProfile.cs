using System.Runtime;

namespace Triage.Cli;

/// <summary>
/// Background JIT from a profile of the previous run (the runtime's multi-core JIT, <see cref="ProfileOptimization"/>).
/// The CLI is ReadyToRun, but ~900 methods still need the JIT in a `triage ingest` (generic instantiations over our types,
/// async state machines, source-generated JSON metadata: ~0.4 s of CPU on this project's 2-core machine, on the critical
/// path). The runtime records which methods one run of a command compiled; the next run of that command compiles them
/// on another core while the first one parses. One profile per command, in the user's cache directory; a profile from an
/// older build is ignored method by method by the runtime (it checks each module's version id). Best effort: a cache
/// directory that cannot be written leaves the command as it was. <c>TRIAGE_JIT_PROFILE=0</c> turns it off,
/// <c>TRIAGE_JIT_PROFILE_DIR</c> moves it.
/// </summary>
internal static class JitProfile
{
    /// <summary>Starts recording (and playing the last recording of) this command's profile. Returns the profile's path,
    /// or null when it is off or the directory is not usable.</summary>
    public static string? Start(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("TRIAGE_JIT_PROFILE") is "0" or "off" or "false") return null;
        var dir = Directory(environment);
        if (dir is null) return null;
        try
        {
            // Writing is the runtime's, when the process ends: a directory it cannot write is skipped there without a word
            // (tested), so nothing is probed here on every start.
            System.IO.Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
        var name = ProfileName(args);
        ProfileOptimization.SetProfileRoot(dir);
        ProfileOptimization.StartProfile(name);
        return Path.Combine(dir, name);
    }

    /// <summary><c>TRIAGE_JIT_PROFILE_DIR</c>, else <c>$XDG_CACHE_HOME/triage/jit</c>, else <c>$HOME/.cache/triage/jit</c>.</summary>
    public static string? Directory(Func<string, string?> environment)
    {
        if (environment("TRIAGE_JIT_PROFILE_DIR") is { Length: > 0 } explicitDir) return explicitDir;
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } cache && Path.IsPathRooted(cache)) return Path.Combine(cache, "triage", "jit");
        if (environment("HOME") is { Length: > 0 } home && Path.IsPathRooted(home)) return Path.Combine(home, ".cache", "triage", "jit");
        return null;
    }

    /// <summary>The commands that have subcommands (`triage vex export`): only after one of these is a second word part of
    /// the profile's name (a test keeps this list equal to <see cref="CliApp.Build"/>'s tree, which is not built here: that
    /// would be JIT work before the profile starts).</summary>
    internal static readonly string[] CommandGroups = ["lineage", "metrics", "runtime", "sigstore", "vex"];

    /// <summary>The command and subcommand words (`ingest`, `runtime-ingest`, `vex-export`), never an option, a file name or
    /// another value: the first word when it is made only of lowercase letters, and the second when the first is one of
    /// <see cref="CommandGroups"/> (anything else is `other`).</summary>
    public static string ProfileName(IReadOnlyList<string> args)
    {
        static bool IsWord(string a) => a.Length is > 0 and <= 20 && a.All(c => c is >= 'a' and <= 'z');
        if (args.Count == 0 || !IsWord(args[0])) return "other.jitprofile";
        if (args.Count > 1 && IsWord(args[1]) && CommandGroups.Contains(args[0])) return $"{args[0]}-{args[1]}.jitprofile";
        return args[0] + ".jitprofile";
    }
}
