using Triage.Core.Domain;
using Triage.Data.Queries;
using Triage.Web.Features.Findings;

namespace Triage.Web.Tests.Features;

public sealed class FindingsQueryTests
{
    [Fact]
    public void Parse_ThenToQueryString_RoundTripsEveryField()
    {
        var q = FindingsQuery.Parse("severity=high,critical&scanner=grype&package=openssl&vuln=CVE-2024-1&status=undecided&fix=yes&image=alpine:3.19&team=7&group=package&sort=image&dir=asc&page=3&size=50");
        Assert.Equal([Severity.Critical, Severity.High], q.Severities);
        Assert.Equal("grype", q.Scanner);
        Assert.Equal(FindingStatusFilter.Undecided, q.Status);
        Assert.True(q.FixAvailable);
        Assert.Equal(7, q.TeamId);
        Assert.Equal(FindingGrouping.SourcePackage, q.Group);
        Assert.Equal(FindingSort.Image, q.Sort);
        Assert.False(q.Descending);
        Assert.Equal((3, 50), (q.Page, q.PageSize));
        Assert.Equal(q, FindingsQuery.Parse(q.ToQueryString()));
    }

    [Fact]
    public void TheDefaultOrder_IsMostUrgentFirst_AndSeverityOrderIsKeptInTheUrl()
    {
        var q = FindingsQuery.Parse("");
        Assert.Equal((FindingSort.Priority, true), (q.Sort, q.Descending));
        // Sorting by severity is no longer the default, so a shared link keeps it.
        var bySeverity = q with { Sort = FindingSort.Severity };
        Assert.Equal("sort=severity&dir=desc", bySeverity.ToQueryString());
        Assert.Equal(bySeverity, FindingsQuery.Parse(bySeverity.ToQueryString()));
    }

    [Fact]
    public void Defaults_HaveAnEmptyQueryString()
    {
        Assert.Equal("", new FindingsQuery().ToQueryString());
        Assert.False(FindingsQuery.Parse("").HasFilter);
    }

    [Fact]
    public void Parse_UnknownWords_AreIgnoredNotErrors()
    {
        var q = FindingsQuery.Parse("severity=bogus,high&scanner=nessus&status=maybe&fix=perhaps&size=7&page=-2&sort=whatever&team=x");
        Assert.Equal([Severity.High], q.Severities);
        Assert.Null(q.Scanner);
        Assert.Equal(FindingStatusFilter.Active, q.Status);
        Assert.Null(q.FixAvailable);
        Assert.Equal(FindingsQuery.DefaultPageSize, q.PageSize);
        Assert.Equal(1, q.Page);
        Assert.Equal(FindingsQuery.DefaultSort, q.Sort);
        Assert.Null(q.TeamId);
    }

    [Fact]
    public void Equality_IsByMeaning_NotByListInstance()
    {
        Assert.Equal(FindingsQuery.Parse("severity=high,critical"), FindingsQuery.Parse("severity=critical,high"));
        Assert.NotEqual(FindingsQuery.Parse("severity=high"), FindingsQuery.Parse("severity=critical"));
    }

    [Fact]
    public void FilterOnly_DropsPagingSortingAndGrouping()
    {
        var q = FindingsQuery.Parse("severity=critical&group=vulnerability&sort=image&page=4");
        Assert.Equal("severity=critical", q.FilterOnly().ToQueryString());
    }

    [Fact]
    public void ToQueryString_EscapesValues()
    {
        var q = new FindingsQuery { Image = "registry.example/app@sha256:ab", Package = "a&b=c" };
        var s = q.ToQueryString();
        Assert.Contains("image=registry.example%2Fapp%40sha256%3Aab", s);
        Assert.Equal(q, FindingsQuery.Parse(s));
    }
}
