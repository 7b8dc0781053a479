using System.Runtime.CompilerServices;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest.Json;

namespace Triage.Core.Ingest.Snyk;

/// <summary>
/// Reads Snyk CLI JSON (<c>snyk test --json</c>, <c>snyk test --all-projects --json</c>, <c>snyk container test IMAGE --json</c>),
/// streaming (docs/decisions/010-parsers-streaming.md). Snyk writes <c>vulnerabilities</c> first and the project's
/// name, package manager and image after it, so each target is completed when its project object ends.
/// <para>Layouts and the fixtures that show them (../shared/fixtures, see PROVENANCE.md):</para>
/// <list type="bullet">
/// <item>A single project object: <c>scanners/snyk/defectdojo_single_project_*.json</c> (maven), <c>snyk-to-html_no-vulns.json</c>,
/// <c>snyk-to-html_with-reachability.json</c> (trimmed; reachability, riskScore, a licence issue), <c>matched/go-*/snyk.json</c> (gomodules).</item>
/// <item>An array of projects (<c>--all-projects</c>): <c>defectdojo_all-projects_*.json</c>, <c>defectdojo_all_containers_target_output.json</c>
/// (pip, npm, nuget, cocoapods), <c>snyk-to-html_nuget-multi-project.json</c>. One target per project.</item>
/// <item>Container results with <c>applications[]</c> (each its own package manager, same image, one target):
/// <c>defectdojo_snykcontainer_*.json</c> (deb + npm, epssDetails), <c>snyk-to-html_container-with-app-vulns.json</c> (docker.baseImage),
/// <c>defectdojo_single_project_None_cvss_sles.json</c> (rpm, null cvssScore), <c>matched/gcf-test-func-ubuntu1804/snyk.json</c> (1038 issues).</item>
/// <item>The error object <c>{"ok": false, "error": …}</c> (<c>refoo0_snyk_error_ok_false.json</c>): a
/// <see cref="ReportErrorCode.ScannerError"/>, never an empty scan. (Snyk also writes <c>"ok": false</c> when it found
/// vulnerabilities: only an error text without results is a failure.)</item>
/// </list>
/// OS package names "source/binary" keep the binary as the name and the source in <see cref="ParsedPackage.SourceName"/>.
/// identifiers.CVE/GHSA/ALTERNATIVE become aliases (several CVEs on one issue stay on one observation), other
/// identifiers (SUSE-SU, NSP, WS) upstream; each <c>from</c> path is a dependency path, and the repeats Snyk writes
/// once per path collapse into one observation.
/// </summary>
public sealed class SnykReportParser : IScanReportParser
{
    public ScannerKind Scanner => ScannerKind.Snyk;

    public async Task<ParsedReport> ParseAsync(Stream utf8Json, ParseOptions options, CancellationToken cancellationToken = default)
    {
        using var js = new JsonStreamReader(utf8Json, options);
        var run = new Run(js);
        await run.ParseAsync(cancellationToken).ConfigureAwait(false);
        return run.Report;
    }

    /// <summary>What Snyk says about a fix: fixedIn versions, or an upgrade or patch path.</summary>
    internal static FixState MapFixState(bool hasFixedIn, int fixedCount, bool? upgradable, bool? patchable) =>
        fixedCount > 0 || upgradable == true || patchable == true ? FixState.Fixed
        : hasFixedIn ? FixState.NotFixed
        : FixState.Unknown;

    /// <summary>The image reference of a container project: "docker-image|NAME" plus the tag or digest that
    /// <c>path</c> (the user's input, sometimes with the application path appended) gives after NAME.</summary>
    internal static string? ImageName(string? projectName, string? path)
    {
        var name = projectName is not null && projectName.StartsWith("docker-image|", StringComparison.Ordinal) ? projectName["docker-image|".Length..] : projectName;
        if (path is null) return name;
        if (name is null || !path.StartsWith(name, StringComparison.Ordinal)) return path;
        var rest = path.AsSpan(name.Length);
        if (rest.IsEmpty || rest[0] is not (':' or '@')) return name;
        var slash = rest.IndexOf('/');
        return name + (slash >= 0 ? rest[..slash] : rest).ToString();
    }

    private sealed class ProjectState
    {
        public required ParsedTarget Target;
        public required Dictionary<(string Type, string Name, string Version), (ParsedPackage Package, string Key)> Packages;
        public bool IsApplication;
        public string? PackageManager;
        public string? ProjectName;
        public string? Path;
        public string? TargetFile;
        public string? DisplayTargetFile;
        public string? BaseImage;
        public int BinaryPackages;
        public bool IsDocker;
        public string? Error;
        public bool HasVulnerabilities;
        public List<ParsedPackage>? Touched;
    }

    private sealed class Run
    {
        private readonly JsonStreamReader _js;
        private readonly JsonRecord _rec;
        private readonly SnykIssueWire _issue = new();
        private int _skippedRecords;
        private string? _firstError;
        private int _projects;
        private int _failedProjects;
        // The project whose vulnerabilities[] is being read (the record callback has only the Run).
        private ProjectState? _currentProject;

        public Run(JsonStreamReader js)
        {
            _js = js;
            _rec = new JsonRecord(js, new Utf8StringPool());
        }

        public ParsedReport Report { get; } = new(ScannerKind.Snyk);

        public async Task ParseAsync(CancellationToken ct)
        {
            if (!await _js.ReadAsync(ct).ConfigureAwait(false))
                throw new ReportFormatException(ReportErrorCode.Empty, "the file is empty");
            switch (_js.TokenType)
            {
                case JsonTokenType.StartObject:
                    await ReadProjectAsync(null, ct).ConfigureAwait(false);
                    break;
                case JsonTokenType.StartArray:
                    while (await _js.NextElementAsync(ct).ConfigureAwait(false))
                    {
                        await _js.ReadAsync(ct).ConfigureAwait(false);
                        if (_js.TokenType == JsonTokenType.Null) continue;
                        if (_js.TokenType != JsonTokenType.StartObject) throw _js.WrongType("[]", "a project object", _js.TokenType);
                        await ReadProjectAsync(null, ct).ConfigureAwait(false);
                    }
                    break;
                default:
                    throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"a Snyk report is a JSON object or array, not {JsonStreamReader.Describe(_js.TokenType)}");
            }
            if (await _js.ReadAsync(ct).ConfigureAwait(false))
                throw new ReportFormatException(ReportErrorCode.InvalidJson, "invalid JSON: content follows the end of the report");
            if (_failedProjects > 0 && _failedProjects == _projects)
                throw new ReportFormatException(ReportErrorCode.ScannerError, $"Snyk reported an error instead of results: {_firstError}");
            if (_skippedRecords > 0)
                Report.Warnings.Add($"skipped {_skippedRecords} issue(s) without an id or package name");
        }

        /// <summary>Reads a project object whose start token was read; <paramref name="parent"/> is the container
        /// project of an application (applications share its image and target).</summary>
        private async Task ReadProjectAsync(ProjectState? parent, CancellationToken ct)
        {
            var p = new ProjectState
            {
                Target = parent?.Target ?? new ParsedTarget { Kind = "project" },
                Packages = parent?.Packages ?? [],
                IsApplication = parent is not null,
            };
            if (parent is null)
            {
                _projects++;
                Report.Targets.Add(p.Target);
            }
            while (await _js.NextElementAsync(ct).ConfigureAwait(false))
            {
                await _js.ReadAsync(ct).ConfigureAwait(false);
                if (_js.ValueIs("vulnerabilities"u8))
                {
                    if (!await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) continue;
                    p.HasVulnerabilities = true;
                    _currentProject = p;
                    await _js.ReadArrayAsync(ReadIssue, static run => run.AddIssue(run._currentProject!), this, ct).ConfigureAwait(false);
                }
                else if (_js.ValueIs("applications"u8))
                {
                    if (!await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) continue;
                    while (await _js.NextElementAsync(ct).ConfigureAwait(false))
                    {
                        await _js.ReadAsync(ct).ConfigureAwait(false);
                        if (_js.TokenType != JsonTokenType.StartObject) { await _js.SkipAsync(ct).ConfigureAwait(false); continue; }
                        await ReadProjectAsync(p, ct).ConfigureAwait(false);
                    }
                }
                else if (_js.ValueIs("packageManager"u8)) p.PackageManager = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("projectName"u8)) p.ProjectName = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("path"u8)) p.Path = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("targetFile"u8)) p.TargetFile = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("displayTargetFile"u8)) p.DisplayTargetFile = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("error"u8)) p.Error = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("docker"u8))
                {
                    p.IsDocker = true;
                    await _js.ReadValueAsync(ReadDocker, p, ct).ConfigureAwait(false);
                }
                else await _js.SkipAsync(ct).ConfigureAwait(false);
            }
            FinishProject(p);
        }

        private void FinishProject(ProjectState p)
        {
            if (p.Error is { Length: > 0 } && !p.HasVulnerabilities)
            {
                _firstError ??= p.Error;
                if (p.IsApplication)
                {
                    Report.Warnings.Add($"Snyk could not test application {p.ProjectName ?? p.TargetFile ?? "?"}: {p.Error}");
                    return;
                }
                _failedProjects++;
                Report.Targets.Remove(p.Target);
                Report.Warnings.Add($"Snyk could not test project {p.Path ?? p.ProjectName ?? "?"}: {p.Error}");
                return;
            }
            var t = p.Target;
            var file = p.DisplayTargetFile ?? p.TargetFile;
            Report.Skip("binary packages with vulnerabilities (docker.binariesVulns)", p.BinaryPackages);
            if (p.IsApplication)
            {
                // An application inside an image: its manifest or binary is where its packages live.
                if (file is not null && p.Touched is not null)
                    foreach (var pkg in p.Touched) if (!pkg.Paths.Contains(file)) pkg.Paths.Add(file);
                return;
            }
            if (p.IsDocker || (p.ProjectName?.StartsWith("docker-image|", StringComparison.Ordinal) ?? false))
            {
                t.Kind = "container_image";
                t.Name ??= ImageName(p.ProjectName, p.Path);
                t.BaseImage ??= p.BaseImage;
            }
            else
            {
                t.Kind = "project";
                t.Name ??= p.ProjectName ?? p.Path;
                t.ProjectFile ??= file;
                if (file is not null && p.Touched is not null)
                    foreach (var pkg in p.Touched) if (!pkg.Paths.Contains(file)) pkg.Paths.Add(file);
            }
        }

        // ------------------------------------------------------------ conversion

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AddIssue(ProjectState p)
        {
            var w = _issue;
            if (w.IsNull) return;
            var rawName = w.Name ?? w.PackageName;
            if (string.IsNullOrEmpty(w.Id) || string.IsNullOrEmpty(rawName))
            {
                _skippedRecords++;
                return;
            }
            var manager = w.PackageManager ?? p.PackageManager;
            var isOs = PackageTypes.IsSnykOsManager(manager) || PackageTypes.IsSnykOsManager(p.PackageManager) || w.Language == "linux";
            string name = rawName;
            string? source = null;
            if (isOs)
            {
                // "source/binary": the binary package is what is installed (the identity); the source groups a fix.
                var slash = rawName.LastIndexOf('/');
                if (slash >= 0)
                {
                    source = rawName[..slash];
                    name = rawName[(slash + 1)..];
                }
            }
            var type = PackageTypes.FromSnyk(manager);
            var version = w.Version ?? "";
            var cacheKey = (type, name, version);
            if (!p.Packages.TryGetValue(cacheKey, out var cached))
            {
                var candidate = new ParsedPackage { Type = type, Name = name, Version = version, SourceName = source };
                var key = p.Target.AddPackage(candidate);
                cached = (p.Target.Packages[key], key);
                p.Packages.Add(cacheKey, cached);
            }
            (p.Touched ??= []).Add(cached.Package);

            var o = new ParsedObservation
            {
                VulnerabilityId = w.Id,
                PackageKey = cached.Key,
                Severity = SeverityNames.Parse(w.SeverityWithCritical ?? w.Severity),
                SeveritySource = "snyk",
                FixState = MapFixState(w.HasFixedIn, w.FixedIn.Count + (w.NearestFixedInVersion is null ? 0 : 1), w.IsUpgradable, w.IsPatchable),
                IsUpgradable = w.IsUpgradable,
                IsPatchable = w.IsPatchable,
                Kind = w.Type == "license" ? ObservationKind.License : ObservationKind.Vulnerability,
                RiskScore = w.RiskScore,
                Reachability = w.Reachability,
            };
            foreach (var f in w.FixedIn) if (!o.FixedVersions.Contains(f)) o.FixedVersions.Add(f);
            if (w.NearestFixedInVersion is { Length: > 0 } nearest && !o.FixedVersions.Contains(nearest)) o.FixedVersions.Add(nearest);
            // Every CVE the issue names is evidence for that CVE: all stay as aliases (the identity code expands them).
            foreach (var cve in w.Cves) if (cve != w.Id && !o.Aliases.Contains(cve)) o.Aliases.Add(cve);
            foreach (var (kind, value) in w.OtherIds)
            {
                if (kind is "GHSA" or "ALTERNATIVE") { if (value != w.Id && !o.Aliases.Contains(value)) o.Aliases.Add(value); }
                else
                {
                    // NSP and WS ids are bare numbers or prefixed; keep the kind so the id means something on its own.
                    var id = value.StartsWith(kind, StringComparison.OrdinalIgnoreCase) || value.Contains('-') ? value : $"{kind}-{value}";
                    if (!o.Upstream.Contains(id)) o.Upstream.Add(id);
                }
            }
            if (w.From.Count > 0) o.DependencyPaths.Add(string.Join(" > ", w.From));
            p.Target.AddObservation(o);

            var v = new ParsedVulnerability
            {
                Id = w.Id,
                Title = w.Title,
                Description = w.Description,
                DataSource = "snyk",
                PublishedAt = w.PublicationTime,
                ModifiedAt = w.ModificationTime,
                EpssScore = w.EpssProbability,
                EpssPercentile = w.EpssPercentile,
            };
            if (w.Cwes.Count > 0) v.Cwes.AddRange(w.Cwes);
            if (w.References.Count > 0) v.References.AddRange(w.References);
            if (w.Cvss.Count > 0) v.Cvss.AddRange(w.Cvss);
            else if (w.CvssV3 is not null || w.CvssScore is not null)
                v.Cvss.Add(new CvssScore("snyk", Trivy.TrivyReportParser.CvssVersion(w.CvssV3, "3.x"), w.CvssV3, w.CvssScore));
            if (w.Severity is not null) v.SeverityBySource["snyk"] = SeverityNames.Parse(w.SeverityWithCritical ?? w.Severity);
            if (w.NvdSeverity is not null) v.SeverityBySource["nvd"] = SeverityNames.Parse(w.NvdSeverity);
            Report.AddVulnerability(v);
        }

        // ------------------------------------------------------------ record loops

        private static void ReadDocker(ref Utf8JsonReader r, ProjectState p)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "baseImage"u8)) p.BaseImage = JsonRecord.String(ref r);
                else if (JsonRecord.Is(ref r, "binariesVulns"u8)) p.BinaryPackages = CountAffectedPackages(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        /// <summary>docker.binariesVulns { issuesData, affectedPkgs { "node@18.1.0": … } }: vulnerabilities Snyk found in
        /// binaries it did not install from a package manager. Not read as claims (their shape is another format);
        /// counted so that nothing is dropped silently.</summary>
        private static int CountAffectedPackages(ref Utf8JsonReader r)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return 0; }
            var count = 0;
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return count;
                if (!JsonRecord.Is(ref r, "affectedPkgs"u8)) { if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException(); continue; }
                JsonRecord.Next(ref r);
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    count++;
                    if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ReadIssue(ref Utf8JsonReader r, Run run)
        {
            var w = run._issue;
            w.Reset();
            var rec = run._rec;
            JsonRecord.Next(ref r);
            if (r.TokenType == JsonTokenType.Null) { w.IsNull = true; return; }
            if (r.TokenType != JsonTokenType.StartObject) throw run._js.WrongType(ref r, "vulnerabilities[]", "an object");
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "id"u8)) w.Id = rec.RequiredString(ref r, "id");
                else if (JsonRecord.Is(ref r, "name"u8)) w.Name = rec.RequiredString(ref r, "name");
                else if (JsonRecord.Is(ref r, "version"u8)) w.Version = rec.RequiredString(ref r, "version");
                else if (JsonRecord.Is(ref r, "packageName"u8)) w.PackageName = rec.RequiredString(ref r, "packageName");
                else if (JsonRecord.Is(ref r, "title"u8)) w.Title = JsonRecord.String(ref r);
                else if (JsonRecord.Is(ref r, "type"u8)) w.Type = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "severity"u8)) w.Severity = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "severityWithCritical"u8)) w.SeverityWithCritical = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "nvdSeverity"u8)) w.NvdSeverity = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "packageManager"u8)) w.PackageManager = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "language"u8)) w.Language = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "description"u8)) w.Description = JsonRecord.String(ref r);
                else if (JsonRecord.Is(ref r, "CVSSv3"u8)) w.CvssV3 = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "cvssScore"u8)) w.CvssScore = JsonRecord.Double(ref r);
                else if (JsonRecord.Is(ref r, "isUpgradable"u8)) w.IsUpgradable = JsonRecord.Bool(ref r);
                else if (JsonRecord.Is(ref r, "isPatchable"u8)) w.IsPatchable = JsonRecord.Bool(ref r);
                else if (JsonRecord.Is(ref r, "fixedIn"u8))
                {
                    var before = r;
                    JsonRecord.Next(ref before);
                    w.HasFixedIn = before.TokenType == JsonTokenType.StartArray;
                    rec.StringArray(ref r, w.FixedIn, pooled: true);
                }
                else if (JsonRecord.Is(ref r, "nearestFixedInVersion"u8)) w.NearestFixedInVersion = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "from"u8)) rec.StringArray(ref r, w.From, pooled: true);
                else if (JsonRecord.Is(ref r, "identifiers"u8)) ReadIdentifiers(ref r, run, w);
                else if (JsonRecord.Is(ref r, "references"u8)) ReadReferences(ref r, w);
                else if (JsonRecord.Is(ref r, "cvssDetails"u8)) ReadCvssDetails(ref r, run, w);
                else if (JsonRecord.Is(ref r, "cvssSources"u8)) ReadCvssSources(ref r, run, w);
                else if (JsonRecord.Is(ref r, "epssDetails"u8)) ReadEpss(ref r, w);
                else if (JsonRecord.Is(ref r, "publicationTime"u8)) w.PublicationTime = JsonRecord.Date(ref r);
                else if (JsonRecord.Is(ref r, "modificationTime"u8)) w.ModificationTime = JsonRecord.Date(ref r);
                else if (JsonRecord.Is(ref r, "reachability"u8)) w.Reachability = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "riskScore"u8)) w.RiskScore = JsonRecord.Double(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadIdentifiers(ref Utf8JsonReader r, Run run, SnykIssueWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                var kind = r.ValueIsEscaped ? r.GetString()! : run._rec.Pool.Get(r.ValueSpan);
                JsonRecord.Next(ref r);
                if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); continue; }
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndArray) break;
                    string? value = r.TokenType switch
                    {
                        JsonTokenType.String => run._rec.CurrentPooledString(ref r),
                        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(r.ValueSpan),
                        _ => null,
                    };
                    if (value is null) { JsonRecord.Skip(ref r); continue; }
                    if (value.Length == 0) continue;
                    switch (kind)
                    {
                        case "CVE": w.Cves.Add(value); break;
                        case "CWE": w.Cwes.Add(value); break;
                        default: w.OtherIds.Add((kind, value)); break;
                    }
                }
            }
        }

        private static void ReadReferences(ref Utf8JsonReader r, SnykIssueWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType == JsonTokenType.String) { w.References.Add(r.GetString()!); continue; }
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "url"u8)) { if (JsonRecord.String(ref r) is { Length: > 0 } url) w.References.Add(url); }
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
            }
        }

        private static void ReadCvssDetails(ref Utf8JsonReader r, Run run, SnykIssueWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                string? assigner = null, vector = null;
                double? score = null;
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "assigner"u8)) assigner = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "cvssV3Vector"u8)) vector = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "cvssV3BaseScore"u8)) score = JsonRecord.Double(ref r);
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
                w.Cvss.Add(new CvssScore(assigner ?? "snyk", Trivy.TrivyReportParser.CvssVersion(vector, "3.x"), vector, score));
            }
        }

        private static void ReadCvssSources(ref Utf8JsonReader r, Run run, SnykIssueWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartArray) { JsonRecord.Skip(ref r); return; }
            // cvssSources is the newer, fuller form of cvssDetails (it includes Snyk's own score): it replaces it.
            w.Cvss.Clear();
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                string? assigner = null, vector = null, version = null;
                double? score = null;
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "assigner"u8)) assigner = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "vector"u8)) vector = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "cvssVersion"u8)) version = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "baseScore"u8)) score = JsonRecord.Double(ref r);
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
                w.Cvss.Add(new CvssScore(assigner ?? "snyk", Trivy.TrivyReportParser.CvssVersion(vector, version ?? "unknown"), vector, score));
            }
        }

        private static void ReadEpss(ref Utf8JsonReader r, SnykIssueWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                // Snyk writes these as strings ("0.00046").
                if (JsonRecord.Is(ref r, "probability"u8)) w.EpssProbability = JsonRecord.Double(ref r);
                else if (JsonRecord.Is(ref r, "percentile"u8)) w.EpssPercentile = JsonRecord.Double(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }
    }
}
