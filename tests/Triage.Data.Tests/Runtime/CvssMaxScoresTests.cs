using Triage.Core.Ingest;
using Triage.Data.Runtime;

namespace Triage.Data.Tests.Runtime;

/// <summary>An import folds a new alias group's CVSS from the report's entries before they are written; the ranking folds
/// stored records from their JSON. Both must give the same highest scores, or a group scored in the import's transaction
/// would rank differently from the same group scored later.</summary>
public sealed class CvssMaxScoresTests
{
    public static TheoryData<CvssScore[]> Lists => new()
    {
        Array.Empty<CvssScore>(),
        new[] { new CvssScore("nvd", "3.1", "CVSS:3.1/AV:N", 9.8), new CvssScore("nvd", "2.0", "AV:N", 10.0) },
        new[] { new CvssScore("redhat", "4.0", null, 6.1), new CvssScore("ghsa", "3.0", null, 7.5), new CvssScore("nvd", "2", null, 5.0) },
        // Out of range and missing scores count for nothing; odd versions are not modern.
        new[] { new CvssScore("a", "3.1", null, 11.0), new CvssScore("b", "3.1", null, -1), new CvssScore("c", "3.1", null, null) },
        new[] { new CvssScore("d", "", null, 4.0), new CvssScore("e", "v3", null, 8.0), new CvssScore("f", "31", null, 2.5) },
        // A version the JSON writer escapes still counts by its first character.
        new[] { new CvssScore("g", "3\"x", null, 6.6), new CvssScore("h", "4\n", null, 3.3), new CvssScore("i", "\"3", null, 9.9) },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public void TheReportsEntries_FoldAsTheirStoredJson(CvssScore[] scores)
    {
        var fromJson = EvidenceJson.Cvss(scores) is { } json ? Cvss.MaxScores(json) : (null, null);
        Assert.Equal(fromJson, Cvss.MaxScores(scores));
    }

    [Fact]
    public void ModernAndAny_AreTheHighestOfTheirKind()
    {
        Assert.Equal((7.5, 10.0), Cvss.MaxScores([new CvssScore("nvd", "2.0", null, 10.0), new CvssScore("ghsa", "3.1", null, 7.5)]));
        Assert.Equal((null, 5.0), Cvss.MaxScores([new CvssScore("nvd", "2.0", null, 5.0)]));
    }
}
