using Triage.Core.Tests.Vex.Support;
using Triage.Core.Vex;

namespace Triage.Core.Tests.Vex;

public class VexStatementTests
{
    [Fact]
    public void Create_NotAffectedWithoutJustificationOrImpact_IsRefusedWithReadableReason()
    {
        var ex = Assert.Throws<VexRuleException>(() => VexStatement.Create(Vx.Draft("CVE-2024-1", VexStatus.NotAffected)));
        Assert.Equal(VexRuleCode.NotAffectedWithoutJustification, ex.Violation.Code);
        Assert.Equal("not_affected_without_justification", ex.Violation.CodeName);
        Assert.Contains("CVE-2024-1", ex.Message);
        Assert.Contains("justification", ex.Message);
    }

    [Fact]
    public void Create_NotAffectedWithImpactStatementOnly_IsAccepted()
    {
        var s = VexStatement.Create(Vx.Draft("CVE-2024-1", VexStatus.NotAffected, impact: "The parser is compiled out."));
        Assert.Null(s.Justification);
        Assert.Equal("The parser is compiled out.", s.ImpactStatement);
    }

    [Fact]
    public void Create_NotAffectedWithCycloneDxJustificationOnly_IsAcceptedAndExportsItsMeaning()
    {
        var s = VexStatement.Create(Vx.Draft("CVE-2024-1", VexStatus.NotAffected) with { CycloneDxJustification = CycloneDxJustification.RequiresEnvironment });
        Assert.Null(s.EffectiveJustification!.Justification);
        Assert.Contains("requires_environment", s.ImpactStatementForExport);
    }

    [Fact]
    public void Create_AffectedWithoutActionStatement_IsRefused()
    {
        Assert.False(VexStatement.TryCreate(Vx.Draft("CVE-2024-1", VexStatus.Affected, action: "   "), out _, out var v));
        Assert.Equal(VexRuleCode.AffectedWithoutActionStatement, v!.Code);
    }

    [Theory]
    [InlineData(VexStatus.Affected)]
    [InlineData(VexStatus.Fixed)]
    [InlineData(VexStatus.UnderInvestigation)]
    public void Create_JustificationOnOtherStatus_IsRefused(VexStatus status)
    {
        var d = Vx.Draft("CVE-2024-1", status, justification: VexJustification.ComponentNotPresent, action: "x");
        Assert.False(VexStatement.TryCreate(d, out _, out var v));
        Assert.Equal(VexRuleCode.JustificationWithoutNotAffected, v!.Code);
    }

    [Fact]
    public void Create_ExpiryBeforeTimestamp_IsRefused()
    {
        var d = Vx.Draft("CVE-2024-1", VexStatus.Fixed, expires: Vx.T0.AddDays(-1));
        Assert.Equal(VexRuleCode.ExpiryNotAfterTimestamp, Assert.Throws<VexRuleException>(() => VexStatement.Create(d)).Violation.Code);
    }

    [Fact]
    public void Create_MissingVulnerabilityScopeOrAuthor_IsRefusedInThatOrder()
    {
        Assert.Equal(VexRuleCode.MissingVulnerability, VexStatement.Check(Vx.Draft("CVE-1", VexStatus.Fixed) with { Vulnerability = null })!.Code);
        Assert.Equal(VexRuleCode.MissingScope, VexStatement.Check(Vx.Draft("CVE-1", VexStatus.Fixed) with { Scope = null })!.Code);
        Assert.Equal(VexRuleCode.MissingAuthor, VexStatement.Check(Vx.Draft("CVE-1", VexStatus.Fixed, author: " "))!.Code);
        Assert.Equal(VexRuleCode.MissingTimestamp, VexStatement.Check(Vx.Draft("CVE-1", VexStatus.Fixed) with { Timestamp = default })!.Code);
    }

    [Fact]
    public void Create_WithoutSource_IsAUserDecisionByItsAuthor()
    {
        var s = Vx.Fixed("CVE-1");
        Assert.Equal(new VexSource.User("alice"), s.Source);
    }

    [Fact]
    public void Scope_DigestNeedsARealSha256()
    {
        Assert.Throws<ArgumentException>(() => new VexScope.Digest("alpine", "sha256:abc"));
        var s = new VexScope.Digest("alpine", Vx.Digest.ToUpperInvariant().Replace("SHA256:", ""));
        Assert.Equal(Vx.Digest, s.Sha256);
        Assert.Equal("docker.io/library/alpine", s.RepositoryName);
    }

    [Fact]
    public void StatusAndJustificationNames_RoundTripThroughTheSpecStrings()
    {
        foreach (var s in Enum.GetValues<VexStatus>())
            Assert.True(VexNames.TryParseStatus(s.ToWire(), out var back) && back == s);
        foreach (var j in Enum.GetValues<VexJustification>())
            Assert.True(VexNames.TryParseJustification(j.ToWire(), out var back) && back == j);
        foreach (var j in Enum.GetValues<CycloneDxJustification>())
            Assert.True(CycloneDxNames.TryParseJustification(j.ToWire(), out var back) && back == j);
        foreach (var st in Enum.GetValues<CycloneDxState>())
            Assert.True(CycloneDxNames.TryParseState(st.ToWire(), out var back) && back == st);
        foreach (var r in Enum.GetValues<CycloneDxResponse>())
            Assert.True(CycloneDxNames.TryParseResponse(r.ToWire(), out var back) && back == r);
    }
}

public class JustificationMappingTests
{
    [Theory]
    [InlineData(CycloneDxJustification.CodeNotPresent, VexJustification.VulnerableCodeNotPresent, true)]
    [InlineData(CycloneDxJustification.CodeNotReachable, VexJustification.VulnerableCodeNotInExecutePath, true)]
    [InlineData(CycloneDxJustification.ProtectedAtRuntime, VexJustification.InlineMitigationsAlreadyExist, false)]
    [InlineData(CycloneDxJustification.ProtectedAtPerimeter, VexJustification.InlineMitigationsAlreadyExist, false)]
    public void FromCycloneDx_MapsWithLossStated(CycloneDxJustification cdx, VexJustification expected, bool exact)
    {
        var m = JustificationMapping.FromCycloneDx(cdx);
        Assert.Equal(expected, m.Justification);
        Assert.Equal(exact, m.Exact);
        Assert.Equal(exact, m.Loss is null);
    }

    [Theory]
    [InlineData(CycloneDxJustification.RequiresConfiguration)]
    [InlineData(CycloneDxJustification.RequiresDependency)]
    [InlineData(CycloneDxJustification.RequiresEnvironment)]
    public void FromCycloneDx_RequiresValues_ClaimNoJustificationAndKeepTheMeaningAsText(CycloneDxJustification cdx)
    {
        var m = JustificationMapping.FromCycloneDx(cdx);
        Assert.Null(m.Justification);
        Assert.Contains("no OpenVEX/CSAF equivalent", m.Loss);
        Assert.Contains(cdx.ToWire(), m.ImpactText);
    }

    [Fact]
    public void ToCycloneDx_EveryJustificationHasATarget_AndOnlyExactOnesAreLossless()
    {
        foreach (var j in Enum.GetValues<VexJustification>())
        {
            var (_, exact, loss) = JustificationMapping.ToCycloneDx(j);
            Assert.Equal(exact, loss is null);
        }
        Assert.Equal(CycloneDxJustification.CodeNotReachable, JustificationMapping.ToCycloneDx(VexJustification.VulnerableCodeNotInExecutePath).Justification);
    }
}
