using System.Text.Json;
using System.Text.Json.Serialization;
using Triage.Core.Ranking;
using Triage.Data.Runtime;

namespace Triage.Data.Tests.Runtime;

/// <summary>Stored scores name the scoring configuration by the hash of its JSON: the source-generated serializer must
/// write exactly the text the reflection serializer wrote before, or every database would be rescored for nothing.</summary>
public sealed class RankingPolicyJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new() { Converters = { new JsonStringEnumConverter() } };

    public static TheoryData<string> Policies() => ["default", "custom"];

    [Theory]
    [MemberData(nameof(Policies))]
    public void TheJson_IsTheReflectionSerializersText_AndReadsBack(string which)
    {
        var policy = which == "default"
            ? RankingPolicy.Default
            : RankingPolicy.Default with
            {
                KevWeight = 40.5,
                ProdEnvironments = ["prod", "live-eu"],
                MinConfidenceToLower = Triage.Core.Runtime.Verdicts.VerdictConfidence.High,
                KevMinimumPriority = SsvcPriority.Act,
                ActRequiresProd = false,
            };
        var settings = RuntimeSettings.Default with { RunningWindowHours = 36 };

        var json = RankingPolicies.ToJson(policy, settings);

        Assert.Equal(JsonSerializer.Serialize(new ScoringConfig(policy, 36), Reflection), json);
        Assert.Contains("\"KevMinimumPriority\":\"" + policy.KevMinimumPriority + "\"", json);
        Assert.Equal(json, RankingPolicies.ToJson(RankingPolicies.FromJson(json).Ranking, settings));
    }
}
