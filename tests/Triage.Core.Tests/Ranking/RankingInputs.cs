using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;

namespace Triage.Core.Tests.Ranking;

/// <summary>Seeded, varied ranking inputs covering every factor (the benchmark uses the same shape at 500k).</summary>
internal static class RankingInputs
{
    private static readonly string[][] Environments = [[], ["prod"], ["staging"], ["dev"], ["prod", "staging"], ["qa"]];

    public static List<RiskInput> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var list = new List<RiskInput>(count);
        for (var i = 0; i < count; i++)
        {
            var kev = random.NextDouble() < 0.02;
            var running = random.Next(3) switch { 0 => (bool?)null, 1 => false, _ => true };
            list.Add(new RiskInput
            {
                FindingId = $"finding-{i:D7}",
                Severity = (Severity)random.Next(5),
                CvssScore = random.NextDouble() < 0.8 ? Math.Round(random.NextDouble() * 10, 1) : null,
                Kev = kev,
                KevDateAdded = kev ? new DateOnly(2021, 11, 3).AddDays(random.Next(1400)) : null,
                KevRansomware = kev && random.NextDouble() < 0.2 ? RansomwareUse.Known : RansomwareUse.Unknown,
                Epss = random.NextDouble() < 0.9 ? Math.Round(Math.Pow(random.NextDouble(), 6), 5) : null,
                Running = running,
                Environments = running == true ? Environments[random.Next(Environments.Length)] : [],
                Workloads = running == true ? 1 + random.Next(10) : 0,
                Reachability = (ReachabilityVerdict)random.Next(5),
                ReachabilityConfidence = (VerdictConfidence)random.Next(3),
                FixAvailable = random.NextDouble() < 0.6,
                Vex = random.NextDouble() < 0.05 ? (RankingVexStatus)random.Next(5) : RankingVexStatus.None,
            });
        }
        return list;
    }
}
