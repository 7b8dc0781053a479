using System.Text.Json.Nodes;
using Triage.Sigstore.Tests.Support;
using Triage.Sigstore.Verification;
using Triage.Testing;

namespace Triage.Sigstore.Tests.Verification;

/// <summary>
/// Corrupting any single value of a valid bundle makes verification fail — as a result, never as an exception —
/// so no field the verifier reads goes unchecked.
/// </summary>
public sealed class HostileInputTests
{
    [FixtureTheory]
    [InlineData("conformance/happy-path-v0.1")]
    [InlineData("conformance/happy-path-intoto-in-dsse-v3")]
    [InlineData("conformance/rekor2-happy-path")]
    [InlineData("conformance/intoto-with-custom-trust-root")]
    [InlineData("conformance/managed-key-happy-path")]
    public void Verify_EachValueCorrupted_FailsWithoutThrowing(string id)
    {
        var c = SharedCase.Get(id);
        Assert.True(c.Run().Success, "the uncorrupted bundle must verify");
        var original = JsonNode.Parse(File.ReadAllText(SharedCase.Path(c.Bundle)))!;
        var paths = Values(original, "").Where(p => p.Value.Length >= 4).ToList();
        Assert.True(paths.Count > 10);

        foreach (var (path, value) in paths)
        {
            var corrupted = original.DeepClone();
            // In a checkpoint, corrupt the signed note; its signature lines' names are unauthenticated lookup hints.
            var middle = value.Contains('\n', StringComparison.Ordinal) ? value.IndexOf('\n', StringComparison.Ordinal) + 1 : value.Length / 2;
            var replacement = value[middle] == 'A' ? 'B' : 'A';
            Set(corrupted, path, value[..middle] + replacement + value[(middle + 1)..]);
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, corrupted.ToJsonString());
                var result = (c with { Bundle = file }).Run();
                if (result.Success && path.EndsWith("logId.keyId", StringComparison.Ordinal) && c.PublicKey is not null)
                {
                    // A keyed bundle needs no log entry (threshold 0): one from an unknown log is skipped, visibly.
                    Assert.Contains(result.PassedChecks, check => check.Contains("ignored", StringComparison.Ordinal));
                    continue;
                }
                Assert.False(result.Success, $"corrupting {path} went unnoticed");
                Assert.NotNull(result.Reason);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    [FixtureFact]
    public void Verify_TruncatedBundle_IsABundleFormatFailure()
    {
        var c = SharedCase.Get("conformance/happy-path-v0.3");
        var json = File.ReadAllText(SharedCase.Path(c.Bundle));
        for (var length = 0; length < json.Length; length += 97)
        {
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, json[..length]);
                Assert.Equal(FailureCode.BundleFormat, (c with { Bundle = file }).Run().FailureCode);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    // A DSSE keyid and a keyed bundle's publicKey.hint are unauthenticated hints that no verifier may rely on (the key
    // is given out of band), so they are not "values" here.
    private static IEnumerable<(string Path, string Value)> Values(JsonNode node, string path) => node switch
    {
        JsonObject o => o.Where(p => p.Key is not ("keyid" or "hint")).SelectMany(p => Values(p.Value!, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => Values(item!, $"{path}[{i}]")),
        JsonValue v when v.TryGetValue<string>(out var s) => [(path, s)],
        _ => [],
    };

    private static void Set(JsonNode root, string path, string value)
    {
        JsonNode node = root;
        var parts = path.Replace("[", ".[").Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var last = i == parts.Length - 1;
            if (part.StartsWith('['))
            {
                var index = int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (last) node.AsArray()[index] = value; else node = node.AsArray()[index]!;
            }
            else if (last) node.AsObject()[part] = value;
            else node = node.AsObject()[part]!;
        }
    }
}
