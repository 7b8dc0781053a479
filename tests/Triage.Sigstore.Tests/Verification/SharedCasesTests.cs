using Triage.Sigstore.Tests.Support;
using Triage.Testing;
using Xunit.Abstractions;

namespace Triage.Sigstore.Tests.Verification;

/// <summary>Every case of the shared Sigstore fixtures (cases.json) gives its expected outcome.</summary>
public sealed class SharedCasesTests(ITestOutputHelper output)
{
    public static TheoryData<string> CaseIds => SharedCase.Ids();

    [FixtureTheory]
    [MemberData(nameof(CaseIds))]
    public void Verify_SharedCase_GivesExpectedOutcome(string id)
    {
        var c = SharedCase.Get(id);
        var result = c.Run();
        output.WriteLine($"{id}: {result}");
        Assert.Equal(c.Expected, result.Success ? "PASS" : "FAIL");
    }
}
