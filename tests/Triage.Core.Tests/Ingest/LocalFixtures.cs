using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Testing;

namespace Triage.Core.Tests.Ingest;

/// <summary>The small reports written for these tests (tests/Triage.Core.Tests/Fixtures/ingest), each named for what it shows.</summary>
internal static class LocalFixtures
{
    public static string Path(string name) => TestPaths.Local("Triage.Core.Tests", "ingest", name);

    public static Task<ParsedReport> ParseAsync(string name, ScannerKind? forced = null) =>
        ScanReportReader.Default.ParseFileAsync(Path(name), forced);

    public static ParsedObservation Observation(this ParsedTarget t, string vulnerabilityId) =>
        t.Observations.Values.Single(o => o.VulnerabilityId == vulnerabilityId);

    public static ParsedPackage PackageOf(this ParsedTarget t, ParsedObservation o) => t.Packages[o.PackageKey];
}
