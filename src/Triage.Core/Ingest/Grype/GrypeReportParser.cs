using System.Runtime.CompilerServices;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest.Json;

namespace Triage.Core.Ingest.Grype;

/// <summary>
/// Reads Grype JSON reports (<c>grype IMAGE -o json</c>, <c>grype dir:PATH -o json</c>), streaming
/// (docs/decisions/010-parsers-streaming.md). <c>matches</c> comes before <c>source</c> in the file, so the target is
/// created first and its image facts are filled in when <c>source</c>, <c>distro</c> and <c>descriptor</c> arrive.
/// <para>Versions and the fixtures that show them (../shared/fixtures, see PROVENANCE.md):</para>
/// <list type="bullet">
/// <item>Grype 0.7.0, <c>matchDetails</c> as one object, <c>cvssV2</c>/<c>cvssV3</c>, <c>fixedInVersion</c>, no related
/// vulnerabilities: <c>scanners/grype/defectdojo_many_vulns3_old_format.json</c>, <c>defectdojo_no_vuln.json</c>.</item>
/// <item>Grype 0.24–0.36 (directory and image scans): <c>defectdojo_many_vulns4_directory.json</c>,
/// <c>defectdojo_check_all_fields.json</c> (0.28.0), <c>defectdojo_same_cve_different_paths.json</c> (0.36.0).</item>
/// <item>Grype 0.59–0.110, <c>matchDetails</c> array, <c>relatedVulnerabilities</c>, <c>cvss[]</c>, <c>epss[]</c>,
/// <c>risk</c>, <c>fix.state</c>, <c>artifact.upstreams</c>, db schema v5/v6: <c>defectdojo_fix_available.json</c> (0.75.0),
/// <c>defectdojo_many_vulns_with_epss_values.json</c> (0.94.0), <c>defectdojo_issue_9618_ubi8.json</c> (0.96.0, keys sorted),
/// the matched image scans (0.59.1, 0.94.0, 0.110.0, <c>grype IMAGE -o json</c>), and a document holding only
/// <c>matches</c> (<c>defectdojo_epss_problem_matches_only.json</c>).</item>
/// </list>
/// relatedVulnerabilities become aliases, except distribution advisories (RHSA, DSA, ALAS, ELSA…) and the match's
/// advisories[], which become upstream (<see cref="Identity.VulnerabilityIds"/>). EPSS and KEV entries are attached to the CVE
/// they name.
/// </summary>
public sealed class GrypeReportParser : IScanReportParser
{
    public ScannerKind Scanner => ScannerKind.Grype;

    public async Task<ParsedReport> ParseAsync(Stream utf8Json, ParseOptions options, CancellationToken cancellationToken = default)
    {
        using var js = new JsonStreamReader(utf8Json, options);
        var run = new Run(js);
        await run.ParseAsync(cancellationToken).ConfigureAwait(false);
        return run.Report;
    }

    /// <summary>Grype's fix.state (peers.md §5.5). Old reports have only fixedInVersion.</summary>
    internal static FixState MapFixState(string? state, bool hasFixedVersion) => state switch
    {
        "fixed" => FixState.Fixed,
        "not-fixed" => FixState.NotFixed,
        "wont-fix" => FixState.WontFix,
        "unknown" => FixState.Unknown,
        null or "" => hasFixedVersion ? FixState.Fixed : FixState.Unknown,
        _ => FixState.Unknown,
    };

    /// <summary>Grype's source.type to <see cref="ParsedTarget.Kind"/>.</summary>
    internal static string TargetKind(string? sourceType) => sourceType switch
    {
        "image" => "container_image",
        "directory" or "file" => "filesystem",
        "sbom" => "sbom",
        null or "" => "container_image",
        _ => sourceType,
    };

    private sealed class Run
    {
        private readonly JsonStreamReader _js;
        private readonly JsonRecord _rec;
        private readonly GrypeMatchWire _match = new();
        private readonly GrypeSourceWire _source = new();
        private readonly ParsedTarget _target = new();
        private readonly Dictionary<(string? Purl, string Name, string Version, string? Type), (ParsedPackage Package, string Key)> _packages = [];
        private int _skippedRecords;

        public Run(JsonStreamReader js)
        {
            _js = js;
            _rec = new JsonRecord(js, new Utf8StringPool());
        }

        public ParsedReport Report { get; } = new(ScannerKind.Grype);

        public async Task ParseAsync(CancellationToken ct)
        {
            if (!await _js.ReadAsync(ct).ConfigureAwait(false))
                throw new ReportFormatException(ReportErrorCode.Empty, "the file is empty");
            if (_js.TokenType != JsonTokenType.StartObject)
                throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"a Grype report is a JSON object, not {JsonStreamReader.Describe(_js.TokenType)}");
            Report.Targets.Add(_target);
            while (await _js.NextElementAsync(ct).ConfigureAwait(false))
            {
                await _js.ReadAsync(ct).ConfigureAwait(false);
                if (_js.ValueIs("matches"u8))
                {
                    if (!await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) continue;
                    await _js.ReadArrayAsync(ReadMatch, static run => run.AddMatch(), this, ct).ConfigureAwait(false);
                }
                else if (_js.ValueIs("source"u8))
                {
                    _source.Reset();
                    await _js.ReadValueAsync(ReadSource, this, ct).ConfigureAwait(false);
                    ApplySource();
                }
                else if (_js.ValueIs("distro"u8)) await _js.ReadValueAsync(ReadDistro, this, ct).ConfigureAwait(false);
                else if (_js.ValueIs("descriptor"u8)) await _js.ReadValueAsync(ReadDescriptor, this, ct).ConfigureAwait(false);
                else if (_js.ValueIs("ignoredMatches"u8))
                {
                    if (await _js.ReadAsync(ct).ConfigureAwait(false)) Report.Skip("ignored matches", await _js.CountAndSkipArrayAsync(ct).ConfigureAwait(false));
                }
                else await _js.SkipAsync(ct).ConfigureAwait(false);
            }
            if (await _js.ReadAsync(ct).ConfigureAwait(false))
                throw new ReportFormatException(ReportErrorCode.InvalidJson, "invalid JSON: content follows the end of the report");
            if (_skippedRecords > 0)
                Report.Warnings.Add($"skipped {_skippedRecords} match(es) without a vulnerability id or artifact name");
        }

        private void ApplySource()
        {
            var s = _source;
            _target.Kind = TargetKind(s.Type);
            // userInput is what the user typed; without it (trimmed reports) a tag or digest still names the image.
            _target.Name ??= s.Name ?? s.Tags.FirstOrDefault() ?? s.RepoDigests.FirstOrDefault();
            _target.ImageId ??= s.ImageId;
            _target.ManifestDigest ??= s.ManifestDigest;
            _target.SizeBytes ??= s.ImageSize;
            foreach (var t in s.Tags) if (!_target.Tags.Contains(t)) _target.Tags.Add(t);
            foreach (var d in s.RepoDigests) if (!_target.RepoDigests.Contains(d)) _target.RepoDigests.Add(d);
        }

        // ------------------------------------------------------------ conversion

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AddMatch()
        {
            var m = _match;
            if (m.IsNull) return;
            var v = m.Vulnerability;
            if (string.IsNullOrEmpty(v.Id) || string.IsNullOrEmpty(m.Name))
            {
                _skippedRecords++;
                return;
            }
            var version = m.Version ?? "";
            var cacheKey = (m.Purl, m.Name, version, m.Type);
            if (!_packages.TryGetValue(cacheKey, out var cached))
            {
                var purl = Purl.TryParse(m.Purl);
                var candidate = new ParsedPackage
                {
                    Purl = m.Purl,
                    Type = purl?.Type ?? PackageTypes.FromGrype(m.Type),
                    Namespace = purl?.Namespace,
                    Name = m.Name,
                    Version = version,
                    SourceName = m.UpstreamName,
                    SourceVersion = m.UpstreamVersion,
                    Layer = m.FirstLayer,
                };
                if (purl is not null) foreach (var (qk, qv) in purl.Qualifiers) candidate.Qualifiers.TryAdd(qk, qv);
                var key = _target.AddPackage(candidate);
                cached = (_target.Packages[key], key);
                _packages.Add(cacheKey, cached);
            }
            var pkg = cached.Package;
            foreach (var path in m.Locations) if (!pkg.Paths.Contains(path)) pkg.Paths.Add(path);

            var o = new ParsedObservation
            {
                VulnerabilityId = v.Id,
                PackageKey = cached.Key,
                Severity = SeverityNames.Parse(v.Severity),
                SeveritySource = v.Namespace,
                Status = v.FixState,
                FixState = MapFixState(v.FixState, v.FixVersions.Count > 0),
                RiskScore = v.Risk,
            };
            if (v.FixVersions.Count > 0) o.FixedVersions.AddRange(v.FixVersions);
            for (var i = 0; i < m.RelatedCount; i++)
                if (m.Related[i].Id is { } rid) Identity.VulnerabilityIds.Classify(o, rid);
            foreach (var a in v.Advisories)
            {
                if (a.Length == 0 || a == o.VulnerabilityId) continue;
                // An advisory a match lists is a fix notice (Upstream), even when its id looks like an alias.
                if (!o.Upstream.Contains(a)) o.Upstream.Add(a);
            }
            _target.AddObservation(o);

            AddVulnerability(v);
            for (var i = 0; i < m.RelatedCount; i++) AddVulnerability(m.Related[i]);
        }

        private void AddVulnerability(GrypeVulnerabilityWire w)
        {
            if (string.IsNullOrEmpty(w.Id)) return;
            var v = new ParsedVulnerability
            {
                Id = w.Id,
                Description = w.Description,
                PrimaryUrl = w.DataSource,
                DataSource = w.Namespace,
            };
            if (w.Urls.Count > 0) v.References.AddRange(w.Urls);
            if (w.Cvss.Count > 0) v.Cvss.AddRange(w.Cvss);
            if (w.Namespace is not null && w.Severity is not null) v.SeverityBySource[w.Namespace] = SeverityNames.Parse(w.Severity);
            foreach (var (cve, cwe) in w.Cwes)
            {
                if (cve is null || cve == w.Id) { if (!v.Cwes.Contains(cwe)) v.Cwes.Add(cwe); }
                else Enrich(cve).Cwes.Add(cwe);
            }
            foreach (var (cve, score, percentile, date) in w.Epss)
            {
                // EPSS scores CVEs: a GHSA record carries its CVE's score, which belongs to that CVE.
                var target = cve is null || cve == w.Id ? v : Enrich(cve);
                target.EpssScore ??= score;
                target.EpssPercentile ??= percentile;
                target.EpssDate ??= date;
            }
            foreach (var cve in w.KnownExploited)
            {
                var target = cve is null || cve == w.Id ? v : Enrich(cve);
                target.KnownExploited = true;
            }
            Report.AddVulnerability(v);
        }

        /// <summary>The record of a CVE that a GHSA (or other) record carries data about, created when missing.</summary>
        private ParsedVulnerability Enrich(string cve)
        {
            if (!Report.Vulnerabilities.TryGetValue(cve, out var v))
            {
                v = new ParsedVulnerability { Id = cve };
                Report.Vulnerabilities.Add(cve, v);
            }
            return v;
        }

        // ------------------------------------------------------------ record loops

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ReadMatch(ref Utf8JsonReader r, Run run)
        {
            var m = run._match;
            m.Reset();
            JsonRecord.Next(ref r);
            if (r.TokenType == JsonTokenType.Null) { m.IsNull = true; return; }
            if (r.TokenType != JsonTokenType.StartObject) throw run._js.WrongType(ref r, "matches[]", "an object");
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "vulnerability"u8)) ReadVulnerability(ref r, run, m.Vulnerability, main: true);
                else if (JsonRecord.Is(ref r, "artifact"u8)) ReadArtifact(ref r, run, m);
                else if (JsonRecord.Is(ref r, "relatedVulnerabilities"u8))
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); continue; }
                    while (true)
                    {
                        // Peek: each element is read by ReadVulnerability, which reads its own first token.
                        var copy = r;
                        JsonRecord.Next(ref copy);
                        if (copy.TokenType == JsonTokenType.EndArray) { r = copy; break; }
                        ReadVulnerability(ref r, run, m.NextRelated(), main: false);
                    }
                }
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadVulnerability(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w, bool main)
        {
            var rec = run._rec;
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject)
            {
                if (main && r.TokenType != JsonTokenType.Null) throw run._js.WrongType(ref r, "vulnerability", "an object");
                JsonRecord.Skip(ref r);
                return;
            }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "id"u8)) w.Id = main ? rec.RequiredString(ref r, "vulnerability.id") : rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "severity"u8)) w.Severity = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "namespace"u8)) w.Namespace = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "dataSource"u8)) w.DataSource = JsonRecord.String(ref r);
                else if (JsonRecord.Is(ref r, "description"u8)) w.Description = JsonRecord.String(ref r);
                else if (JsonRecord.Is(ref r, "urls"u8) || JsonRecord.Is(ref r, "links"u8)) rec.StringArray(ref r, w.Urls, pooled: false);
                else if (JsonRecord.Is(ref r, "cvss"u8)) ReadCvssArray(ref r, run, w);
                else if (JsonRecord.Is(ref r, "cvssV2"u8)) ReadOldCvss(ref r, run, w, "2.0");
                else if (JsonRecord.Is(ref r, "cvssV3"u8)) ReadOldCvss(ref r, run, w, "3.x");
                else if (JsonRecord.Is(ref r, "epss"u8)) ReadEpss(ref r, run, w);
                else if (JsonRecord.Is(ref r, "cwes"u8)) ReadCwes(ref r, run, w);
                else if (JsonRecord.Is(ref r, "knownExploited"u8)) ReadKnownExploited(ref r, run, w);
                else if (JsonRecord.Is(ref r, "fix"u8)) ReadFix(ref r, run, w);
                else if (JsonRecord.Is(ref r, "fixedInVersion"u8))
                {
                    if (rec.PooledString(ref r) is { Length: > 0 } fixedIn) w.FixVersions.Add(fixedIn);
                }
                else if (JsonRecord.Is(ref r, "advisories"u8)) ReadAdvisories(ref r, run, w);
                else if (JsonRecord.Is(ref r, "risk"u8)) w.Risk = JsonRecord.Double(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadCvssArray(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                string? source = null, version = null, vector = null;
                double? score = null;
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "source"u8)) source = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "version"u8)) version = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "vector"u8)) vector = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "metrics"u8))
                    {
                        JsonRecord.Next(ref r);
                        if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                        while (true)
                        {
                            JsonRecord.Next(ref r);
                            if (r.TokenType == JsonTokenType.EndObject) break;
                            if (JsonRecord.Is(ref r, "baseScore"u8)) score = JsonRecord.Double(ref r);
                            else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                        }
                    }
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
                w.Cvss.Add(new CvssScore(source ?? w.Namespace ?? "grype", version ?? Trivy.TrivyReportParser.CvssVersion(vector, "unknown"), vector, score));
            }
        }

        private static void ReadOldCvss(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w, string version)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            string? vector = null;
            double? score = null;
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) break;
                if (JsonRecord.Is(ref r, "vector"u8)) vector = run._rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "baseScore"u8)) score = JsonRecord.Double(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
            w.Cvss.Add(new CvssScore(w.Namespace ?? "grype", Trivy.TrivyReportParser.CvssVersion(vector, version), vector, score));
        }

        private static void ReadEpss(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                string? cve = null;
                double? score = null, percentile = null;
                DateOnly? date = null;
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "cve"u8)) cve = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "epss"u8)) score = JsonRecord.Double(ref r);
                    else if (JsonRecord.Is(ref r, "percentile"u8)) percentile = JsonRecord.Double(ref r);
                    else if (JsonRecord.Is(ref r, "date"u8))
                        date = DateOnly.TryParse(run._rec.PooledString(ref r), System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
                w.Epss.Add((cve, score, percentile, date));
            }
        }

        private static void ReadCwes(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType == JsonTokenType.String) { w.Cwes.Add((null, run._rec.CurrentPooledString(ref r)!)); continue; }
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                string? cve = null, cwe = null;
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "cve"u8)) cve = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "cwe"u8)) cwe = run._rec.PooledString(ref r);
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
                if (cwe is { Length: > 0 }) w.Cwes.Add((cve, cwe));
            }
        }

        private static void ReadKnownExploited(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                string? cve = null;
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "cve"u8)) cve = run._rec.PooledString(ref r);
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
                w.KnownExploited.Add(cve);
            }
        }

        private static void ReadFix(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "state"u8)) w.FixState = run._rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "versions"u8)) run._rec.StringArray(ref r, w.FixVersions, pooled: true);
                else if (JsonRecord.Is(ref r, "available"u8))
                {
                    // Newer Grype: available: [{version, date, kind}]; versions[] usually repeats them.
                    JsonRecord.Next(ref r);
                    if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); continue; }
                    while (true)
                    {
                        JsonRecord.Next(ref r);
                        if (r.TokenType == JsonTokenType.EndArray) break;
                        if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                        while (true)
                        {
                            JsonRecord.Next(ref r);
                            if (r.TokenType == JsonTokenType.EndObject) break;
                            if (JsonRecord.Is(ref r, "version"u8))
                            {
                                if (run._rec.PooledString(ref r) is { Length: > 0 } fv && !w.FixVersions.Contains(fv)) w.FixVersions.Add(fv);
                            }
                            else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                        }
                    }
                }
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadAdvisories(ref Utf8JsonReader r, Run run, GrypeVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "id"u8)) { if (run._rec.PooledString(ref r) is { Length: > 0 } id) w.Advisories.Add(id); }
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
            }
        }

        private static void ReadArtifact(ref Utf8JsonReader r, Run run, GrypeMatchWire m)
        {
            var rec = run._rec;
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject)
            {
                if (r.TokenType != JsonTokenType.Null) throw run._js.WrongType(ref r, "artifact", "an object");
                return;
            }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "name"u8)) m.Name = rec.RequiredString(ref r, "artifact.name");
                else if (JsonRecord.Is(ref r, "version"u8)) m.Version = rec.RequiredString(ref r, "artifact.version");
                else if (JsonRecord.Is(ref r, "type"u8)) m.Type = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "purl"u8)) m.Purl = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "locations"u8))
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); continue; }
                    while (true)
                    {
                        JsonRecord.Next(ref r);
                        if (r.TokenType == JsonTokenType.EndArray) break;
                        if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                        while (true)
                        {
                            JsonRecord.Next(ref r);
                            if (r.TokenType == JsonTokenType.EndObject) break;
                            if (JsonRecord.Is(ref r, "path"u8)) { if (rec.PooledString(ref r) is { Length: > 0 } p && !m.Locations.Contains(p)) m.Locations.Add(p); }
                            else if (JsonRecord.Is(ref r, "layerID"u8)) { var l = rec.PooledString(ref r); m.FirstLayer ??= l; }
                            else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                        }
                    }
                }
                else if (JsonRecord.Is(ref r, "upstreams"u8))
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); continue; }
                    while (true)
                    {
                        JsonRecord.Next(ref r);
                        if (r.TokenType == JsonTokenType.EndArray) break;
                        if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                        string? name = null, version = null;
                        while (true)
                        {
                            JsonRecord.Next(ref r);
                            if (r.TokenType == JsonTokenType.EndObject) break;
                            if (JsonRecord.Is(ref r, "name"u8)) name = rec.PooledString(ref r);
                            else if (JsonRecord.Is(ref r, "version"u8)) version = rec.PooledString(ref r);
                            else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                        }
                        if (m.UpstreamName is null && name is { Length: > 0 }) { m.UpstreamName = name; m.UpstreamVersion = version; }
                    }
                }
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadSource(ref Utf8JsonReader r, Run run)
        {
            var s = run._source;
            var rec = run._rec;
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "type"u8)) s.Type = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "target"u8))
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.String) { s.Name = r.GetString(); continue; }
                    if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                    while (true)
                    {
                        JsonRecord.Next(ref r);
                        if (r.TokenType == JsonTokenType.EndObject) break;
                        if (JsonRecord.Is(ref r, "userInput"u8)) s.Name = JsonRecord.String(ref r);
                        else if (JsonRecord.Is(ref r, "imageID"u8)) s.ImageId = JsonRecord.String(ref r);
                        else if (JsonRecord.Is(ref r, "manifestDigest"u8)) s.ManifestDigest = JsonRecord.String(ref r);
                        else if (JsonRecord.Is(ref r, "tags"u8)) rec.StringArray(ref r, s.Tags, pooled: false);
                        else if (JsonRecord.Is(ref r, "repoDigests"u8)) rec.StringArray(ref r, s.RepoDigests, pooled: false);
                        else if (JsonRecord.Is(ref r, "imageSize"u8)) s.ImageSize = (long?)JsonRecord.Double(ref r);
                        else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                    }
                }
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadDistro(ref Utf8JsonReader r, Run run)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "name"u8)) { if (JsonRecord.String(ref r) is { Length: > 0 } n) run._target.OsFamily ??= n; }
                else if (JsonRecord.Is(ref r, "version"u8)) { if (JsonRecord.String(ref r) is { Length: > 0 } v) run._target.OsName ??= v; }
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadDescriptor(ref Utf8JsonReader r, Run run)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            string? schema = null, built = null;
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) break;
                if (JsonRecord.Is(ref r, "version"u8)) run.Report.ScannerVersion = JsonRecord.String(ref r);
                else if (JsonRecord.Is(ref r, "timestamp"u8)) run.Report.CreatedAt = JsonRecord.Date(ref r);
                else if (JsonRecord.Is(ref r, "db"u8))
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                    while (true)
                    {
                        JsonRecord.Next(ref r);
                        if (r.TokenType == JsonTokenType.EndObject) break;
                        if (JsonRecord.Is(ref r, "schemaVersion"u8)) schema = ScalarText(ref r);
                        else if (JsonRecord.Is(ref r, "built"u8)) built = JsonRecord.String(ref r);
                        else if (JsonRecord.Is(ref r, "status"u8))
                        {
                            // Grype 0.88+ (db v6): db.status { schemaVersion, built, from, valid }.
                            JsonRecord.Next(ref r);
                            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                            while (true)
                            {
                                JsonRecord.Next(ref r);
                                if (r.TokenType == JsonTokenType.EndObject) break;
                                if (JsonRecord.Is(ref r, "schemaVersion"u8)) schema = ScalarText(ref r);
                                else if (JsonRecord.Is(ref r, "built"u8)) built = JsonRecord.String(ref r);
                                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                            }
                        }
                        else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                    }
                }
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
            if (schema is not null || built is not null)
            {
                var v = schema is null ? "" : schema.StartsWith('v') ? " " + schema : " v" + schema;
                run.Report.DatabaseInfo = $"grype db{v}{(built is null ? "" : " built " + built)}";
            }
        }

        /// <summary>A string or number value as text (db schemaVersion is a number in v5, "v6.1.4" in v6).</summary>
        private static string? ScalarText(ref Utf8JsonReader r)
        {
            JsonRecord.Next(ref r);
            switch (r.TokenType)
            {
                case JsonTokenType.String: return r.GetString();
                case JsonTokenType.Number: return System.Text.Encoding.UTF8.GetString(r.ValueSpan);
                default: JsonRecord.Skip(ref r); return null;
            }
        }
    }
}
