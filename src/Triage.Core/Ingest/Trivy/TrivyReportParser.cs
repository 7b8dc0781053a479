using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest.Json;

namespace Triage.Core.Ingest.Trivy;

/// <summary>
/// Reads Trivy JSON reports (<c>trivy image|fs|repo|rootfs --format json</c>, with or without <c>--list-all-pkgs</c>,
/// and <c>trivy k8s --format json</c>), streaming (docs/decisions/010-parsers-streaming.md).
/// <para>Layouts and the fixtures that show them (../shared/fixtures, see PROVENANCE.md):</para>
/// <list type="bullet">
/// <item>Legacy, before SchemaVersion (Trivy &lt; 0.20): a top-level array of results — <c>scanners/trivy/defectdojo_legacy_*.json</c>;
/// the literal <c>null</c> for "nothing found" is handled by <see cref="ScanReportReader"/> (only when forced to Trivy).</item>
/// <item>SchemaVersion 2 (Trivy 0.20 to 0.69.x), with and without <c>Results</c>: the <c>trivy-golden_*.json</c> integration
/// goldens (Trivy "dev", aquasecurity/trivy dc3c56e), <c>defectdojo_scheme_2_*.json</c>, <c>defectdojo_cvssv4_severity_source.json</c>
/// (Trivy 0.69.1, <c>trivy fs</c> of a jar), and the matched image scans (Trivy 0.69.3, <c>trivy image --format json</c>).</item>
/// <item>Kubernetes cluster reports: older <c>ClusterName</c> + <c>Vulnerabilities[]</c>/<c>Misconfigurations[]</c> of workloads
/// (<c>defectdojo_kubernetes_cluster.json</c>) and newer <c>ClusterName</c> + <c>Resources[]</c> (<c>defectdojo_k8s_resources_issue_9170.json</c>,
/// <c>trivy k8s --report all --format json</c>); one <see cref="ParsedTarget"/> per distinct image, with its workloads.</item>
/// </list>
/// Misconfiguration, secret, licence and custom-resource sections are counted in <see cref="ParsedReport.Skipped"/>.
/// Status (8 values) maps to <see cref="FixState"/>; VendorIDs are sorted into upstream advisories and aliases
/// (<see cref="Identity.VulnerabilityIds"/>); CVSS per source, VendorSeverity, CweIDs, References, dates and Fingerprint are kept.
/// </summary>
public sealed class TrivyReportParser : IScanReportParser
{
    public ScannerKind Scanner => ScannerKind.Trivy;

    public async Task<ParsedReport> ParseAsync(Stream utf8Json, ParseOptions options, CancellationToken cancellationToken = default)
    {
        using var js = new JsonStreamReader(utf8Json, options);
        var run = new Run(js);
        await run.ParseAsync(cancellationToken).ConfigureAwait(false);
        return run.Report;
    }

    /// <summary>Per-target caches: a report repeats a package once per vulnerability.</summary>
    private sealed class TargetState(ParsedTarget target)
    {
        public ParsedTarget Target { get; } = target;
        public Dictionary<(string? Purl, string Name, string Version, string? Path), (ParsedPackage Package, string Key)> Packages { get; } = [];
    }

    /// <summary>One Result object being read.</summary>
    private sealed class ResultState
    {
        public string? Target;
        public string? Class;
        public string? Type;
        public TargetState? State;
        /// <summary>Packages[] of --list-all-pkgs, by UID / ID / name@version, until the result ends.</summary>
        public Dictionary<string, TrivyPackageWire>? PackageInfo;
        /// <summary>Packages this result's vulnerabilities used, with the keys their Packages[] entry may have.</summary>
        public List<(ParsedPackage Package, string? Uid, string? PkgId)>? Used;

        public bool IsLanguage => Class == "lang-pkgs" || (Class is null && Target is not null && !TryParseOsTarget(Target, out _, out _, out _));
    }

    /// <summary>A Kubernetes resource (workload) being read.</summary>
    private sealed class ResourceState
    {
        public string? Namespace;
        public string? Kind;
        public string? Name;
        public readonly TrivyMetadataWire Metadata = new();
        public bool HasMetadata;
        public TargetState? Image;
        public string FullName => $"{Namespace}/{Kind}/{Name}";
    }

    private sealed class Run
    {
        private readonly JsonStreamReader _js;
        private readonly JsonRecord _rec;
        private readonly TrivyVulnerabilityWire _wire = new();
        private readonly TrivyPackageWire _pkgWire = new();
        private readonly TrivyMetadataWire _meta = new();
        private readonly Dictionary<string, Purl?> _purls = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TargetState> _images = new(StringComparer.Ordinal);
        private TargetState? _main;
        // The result whose Vulnerabilities[] is being read (the record callback has only the Run).
        private TargetState? _currentState;
        private ResultState? _currentResult;
        private bool _isCluster;
        private int _skippedRecords;
        private (long Line, long Byte)? _firstSkipped;

        public Run(JsonStreamReader js)
        {
            _js = js;
            _rec = new JsonRecord(js, new Utf8StringPool());
        }

        public ParsedReport Report { get; } = new(ScannerKind.Trivy);

        public async Task ParseAsync(CancellationToken ct)
        {
            if (!await _js.ReadAsync(ct).ConfigureAwait(false))
                throw new ReportFormatException(ReportErrorCode.Empty, "the file is empty");
            switch (_js.TokenType)
            {
                case JsonTokenType.Null:
                    Report.Warnings.Add("the report is `null`: an old Trivy version's way of saying it found nothing");
                    break;
                case JsonTokenType.StartArray:
                    // Legacy layout (before SchemaVersion): the array of results is the report.
                    _main = new TargetState(new ParsedTarget());
                    await ReadResultsAsync(_main, null, ct).ConfigureAwait(false);
                    FinishLegacyTarget(_main.Target);
                    break;
                case JsonTokenType.StartObject:
                    await ReadRootObjectAsync(ct).ConfigureAwait(false);
                    break;
                default:
                    throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"a Trivy report is a JSON object or array, not {JsonStreamReader.Describe(_js.TokenType)}");
            }
            // Nothing may follow the root value.
            if (await _js.ReadAsync(ct).ConfigureAwait(false))
                throw new ReportFormatException(ReportErrorCode.InvalidJson, "invalid JSON: content follows the end of the report");

            if (_main is not null && (!_isCluster || _main.Target.Observations.Count > 0)) Report.Targets.Insert(0, _main.Target);
            foreach (var image in _images.Values) Report.Targets.Add(image.Target);
            if (_skippedRecords > 0)
                Report.Warnings.Add($"skipped {_skippedRecords} vulnerability record(s) without VulnerabilityID or PkgName" +
                                    (_firstSkipped is { } p ? $" (the first at line {p.Line})" : ""));
        }

        private TargetState Main => _main ??= new TargetState(new ParsedTarget());

        private async Task ReadRootObjectAsync(CancellationToken ct)
        {
            while (await _js.NextElementAsync(ct).ConfigureAwait(false))
            {
                await _js.ReadAsync(ct).ConfigureAwait(false);
                if (_js.ValueIs("Results"u8))
                {
                    if (await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) await ReadResultsAsync(Main, null, ct).ConfigureAwait(false);
                }
                else if (_js.ValueIs("ArtifactName"u8)) Main.Target.Name = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("ArtifactType"u8)) Main.Target.Kind = TargetKind(await _js.ReadStringAsync(ct).ConfigureAwait(false));
                else if (_js.ValueIs("Metadata"u8))
                {
                    _meta.Reset();
                    await _js.ReadValueAsync(ReadMetadata, this, ct).ConfigureAwait(false);
                    _meta.ApplyTo(Main.Target);
                }
                else if (_js.ValueIs("Trivy"u8)) await _js.ReadValueAsync(ReadTrivyInfo, this, ct).ConfigureAwait(false);
                else if (_js.ValueIs("CreatedAt"u8))
                {
                    var s = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                    if (DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d)) Report.CreatedAt = d;
                }
                else if (_js.ValueIs("ClusterName"u8))
                {
                    _isCluster = true;
                    var name = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                    if (name is not null) Main.Target.Name ??= name;
                    Main.Target.Kind = "k8s_cluster";
                }
                else if (_js.ValueIs("Resources"u8) || _js.ValueIs("Findings"u8) || _js.ValueIs("Vulnerabilities"u8) || _js.ValueIs("Misconfigurations"u8))
                {
                    // Cluster reports: Resources (newer), Findings (--report all, consolidated), Vulnerabilities and
                    // Misconfigurations (older) are all arrays of workloads with their Results.
                    _isCluster = true;
                    if (await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) await ReadResourcesAsync(ct).ConfigureAwait(false);
                }
                else await _js.SkipAsync(ct).ConfigureAwait(false);
            }
        }

        // ------------------------------------------------------------ results

        /// <summary>Reads an array of Result objects (its start token was read).</summary>
        private async Task ReadResultsAsync(TargetState? target, ResourceState? resource, CancellationToken ct)
        {
            while (await _js.NextElementAsync(ct).ConfigureAwait(false))
            {
                await _js.ReadAsync(ct).ConfigureAwait(false);
                if (_js.TokenType != JsonTokenType.StartObject)
                {
                    if (_js.TokenType != JsonTokenType.Null) throw _js.WrongType("Results[]", "an object", _js.TokenType);
                    continue;
                }
                var result = new ResultState { State = target };
                await ReadResultAsync(result, resource, ct).ConfigureAwait(false);
            }
        }

        private async Task ReadResultAsync(ResultState result, ResourceState? resource, CancellationToken ct)
        {
            while (await _js.NextElementAsync(ct).ConfigureAwait(false))
            {
                await _js.ReadAsync(ct).ConfigureAwait(false);
                if (_js.ValueIs("Vulnerabilities"u8))
                {
                    if (!await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) continue;
                    var state = result.State ??= ResolveImage(result, resource);
                    if (resource is null && state.Target.OsFamily is null && result.Class is null or "os-pkgs" && result.Target is { } osTarget
                        && TryParseOsTarget(osTarget, out var image, out var family, out var osVersion))
                    {
                        // Legacy reports name the image and OS only in the OS result's target.
                        state.Target.OsFamily = family;
                        state.Target.OsName ??= osVersion;
                        state.Target.Name ??= image;
                    }
                    _currentState = state;
                    _currentResult = result;
                    await _js.ReadArrayAsync(ReadVulnerability, static run => run.AddVulnerability(run._currentState!, run._currentResult!), this, ct).ConfigureAwait(false);
                }
                else if (_js.ValueIs("Target"u8)) result.Target = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("Class"u8)) result.Class = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("Type"u8)) result.Type = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                else if (_js.ValueIs("Packages"u8))
                {
                    if (!await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) continue;
                    result.PackageInfo ??= new Dictionary<string, TrivyPackageWire>(StringComparer.Ordinal);
                    while (await _js.NextElementAsync(ct).ConfigureAwait(false))
                    {
                        await _js.ReadValueAsync(ReadPackage, this, ct).ConfigureAwait(false);
                        var key = _pkgWire.Uid ?? _pkgWire.Id ?? $"{_pkgWire.Name}@{_pkgWire.Version}";
                        if (result.PackageInfo.ContainsKey(key)) continue;
                        var copy = new TrivyPackageWire();
                        CopyPackage(_pkgWire, copy);
                        result.PackageInfo[key] = copy;
                    }
                }
                else if (_js.ValueIs("Misconfigurations"u8)) await CountSectionAsync("misconfigurations", ct).ConfigureAwait(false);
                else if (_js.ValueIs("Secrets"u8)) await CountSectionAsync("secrets", ct).ConfigureAwait(false);
                else if (_js.ValueIs("Licenses"u8)) await CountSectionAsync("licenses", ct).ConfigureAwait(false);
                else if (_js.ValueIs("CustomResources"u8)) await CountSectionAsync("custom resources", ct).ConfigureAwait(false);
                // --show-suppressed: findings a VEX statement or ignore file removed; they are not claims.
                else if (_js.ValueIs("ExperimentalModifiedFindings"u8)) await CountSectionAsync("suppressed findings", ct).ConfigureAwait(false);
                else await _js.SkipAsync(ct).ConfigureAwait(false);
            }
            MergePackageInfo(result);
        }

        private async Task CountSectionAsync(string section, CancellationToken ct)
        {
            if (!await _js.ReadAsync(ct).ConfigureAwait(false)) return;
            Report.Skip(section, await _js.CountAndSkipArrayAsync(ct).ConfigureAwait(false));
        }

        private static void CopyPackage(TrivyPackageWire from, TrivyPackageWire to)
        {
            to.Id = from.Id; to.Name = from.Name; to.Version = from.Version; to.Release = from.Release; to.Epoch = from.Epoch;
            to.Purl = from.Purl; to.Uid = from.Uid; to.SrcName = from.SrcName; to.SrcVersion = from.SrcVersion;
            to.SrcRelease = from.SrcRelease; to.SrcEpoch = from.SrcEpoch; to.LayerDiffId = from.LayerDiffId; to.FilePath = from.FilePath;
            to.InstalledFiles = from.InstalledFiles;
        }

        /// <summary>Packages[] (from --list-all-pkgs) carry what vulnerability records omit: source package and installed files.</summary>
        private static void MergePackageInfo(ResultState result)
        {
            if (result.PackageInfo is not { Count: > 0 } info || result.Used is null) return;
            foreach (var (pkg, uid, pkgId) in result.Used)
            {
                TrivyPackageWire? w = null;
                if (uid is not null) info.TryGetValue(uid, out w);
                if (w is null && pkgId is not null) info.TryGetValue(pkgId, out w);
                if (w is null) info.TryGetValue($"{pkg.Name}@{pkg.Version}", out w);
                if (w is null) continue;
                pkg.SourceName ??= w.SrcName;
                pkg.SourceVersion ??= w.SourceVersion();
                pkg.Purl ??= w.Purl;
                pkg.Layer ??= w.LayerDiffId;
                if (w.FilePath is { Length: > 0 } fp && !pkg.Paths.Contains(fp)) pkg.Paths.Add(fp);
                foreach (var f in w.InstalledFiles) if (!pkg.InstalledFiles.Contains(f)) pkg.InstalledFiles.Add(f);
            }
        }

        // ------------------------------------------------------------ kubernetes

        private async Task ReadResourcesAsync(CancellationToken ct)
        {
            while (await _js.NextElementAsync(ct).ConfigureAwait(false))
            {
                await _js.ReadAsync(ct).ConfigureAwait(false);
                if (_js.TokenType != JsonTokenType.StartObject)
                {
                    if (_js.TokenType != JsonTokenType.Null) throw _js.WrongType("Resources[]", "an object", _js.TokenType);
                    continue;
                }
                var resource = new ResourceState();
                while (await _js.NextElementAsync(ct).ConfigureAwait(false))
                {
                    await _js.ReadAsync(ct).ConfigureAwait(false);
                    if (_js.ValueIs("Results"u8))
                    {
                        if (await _js.ReadArrayStartAsync(ct).ConfigureAwait(false)) await ReadResultsAsync(null, resource, ct).ConfigureAwait(false);
                    }
                    else if (_js.ValueIs("Namespace"u8)) resource.Namespace = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                    else if (_js.ValueIs("Kind"u8)) resource.Kind = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                    else if (_js.ValueIs("Name"u8)) resource.Name = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                    else if (_js.ValueIs("Metadata"u8))
                    {
                        _meta.Reset();
                        await _js.ReadValueAsync(ReadMetadata, this, ct).ConfigureAwait(false);
                        resource.HasMetadata = _meta.HasImage;
                        CopyMetadata(_meta, resource.Metadata);
                        if (resource.Image is not null) resource.Metadata.ApplyTo(resource.Image.Target);
                    }
                    else if (_js.ValueIs("Error"u8))
                    {
                        var error = await _js.ReadStringAsync(ct).ConfigureAwait(false);
                        if (!string.IsNullOrEmpty(error)) Report.Warnings.Add($"Trivy could not scan {resource.FullName}: {error}");
                    }
                    else await _js.SkipAsync(ct).ConfigureAwait(false);
                }
            }
        }

        private static void CopyMetadata(TrivyMetadataWire from, TrivyMetadataWire to)
        {
            to.Reset();
            to.OsFamily = from.OsFamily; to.OsName = from.OsName; to.ImageId = from.ImageId; to.Size = from.Size;
            to.RepoTags.AddRange(from.RepoTags);
            to.RepoDigests.AddRange(from.RepoDigests);
        }

        /// <summary>The image a cluster result belongs to: the resource's Metadata (newer reports), else the OS result's
        /// target "image (os version)" (older reports), else the workload itself.</summary>
        private TargetState ResolveImage(ResultState result, ResourceState? resource)
        {
            if (resource is null) return Main;
            if (resource.Image is not null)
            {
                // Older cluster reports mix the results of a workload's containers; a second OS result names another image.
                if (resource.HasMetadata || result.Target is null || !TryParseOsTarget(result.Target, out var other, out _, out _)
                    || other == resource.Image.Target.Name)
                    return resource.Image;
            }

            string? name = null, family = null, version = null;
            string key;
            if (resource.HasMetadata)
            {
                var m = resource.Metadata;
                name = m.RepoTags.FirstOrDefault() ?? m.RepoDigests.FirstOrDefault() ?? m.ImageId;
                key = m.ImageId ?? m.RepoDigests.FirstOrDefault() ?? name!;
            }
            else if (result.Target is { } target && TryParseOsTarget(target, out var image, out family, out version))
            {
                name = image;
                key = image;
            }
            else
            {
                key = "workload:" + resource.FullName;
            }

            if (!_images.TryGetValue(key, out var state))
            {
                var t = new ParsedTarget
                {
                    Name = name ?? resource.FullName,
                    Kind = name is null ? "k8s_workload" : "container_image",
                    Namespace = resource.Namespace,
                    Workload = $"{resource.Kind}/{resource.Name}",
                };
                if (name is null) Report.Warnings.Add($"the image of {resource.FullName} is not named in the report; its findings are attached to the workload");
                state = new TargetState(t);
                _images.Add(key, state);
            }
            var tgt = state.Target;
            if (!tgt.Deployments.Contains(resource.FullName)) tgt.Deployments.Add(resource.FullName);
            if (resource.HasMetadata) resource.Metadata.ApplyTo(tgt);
            tgt.OsFamily ??= family ?? (result.Class == "os-pkgs" ? result.Type : null);
            tgt.OsName ??= version;
            resource.Image = state;
            return state;
        }

        // ------------------------------------------------------------ records

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        private void AddVulnerability(TargetState state, ResultState result)
        {
            var w = _wire;
            if (w.IsNull) return;
            if (string.IsNullOrEmpty(w.VulnerabilityId) || string.IsNullOrEmpty(w.PkgName))
            {
                // groundtruth.py skips these too: trimmed records carry no claim.
                _skippedRecords++;
                return;
            }
            var target = state.Target;
            var version = w.InstalledVersion ?? "";
            var path = w.PkgPath ?? (result.IsLanguage && result.Target is { Length: > 0 } rt && LooksLikePath(rt) ? rt : null);
            var cacheKey = (w.Purl, w.PkgName, version, path);
            if (state.Packages.TryGetValue(cacheKey, out var cached))
            {
                if (cached.Package.Layer is null && w.LayerLength > 0) cached.Package.Layer = LayerString(w);
            }
            else
            {
                var purl = ParsePurl(w.Purl);
                var candidate = new ParsedPackage
                {
                    Purl = w.Purl,
                    Type = purl?.Type ?? PackageTypes.FromTrivy(result.Type),
                    Namespace = purl?.Namespace,
                    Name = w.PkgName,
                    Version = version,
                    Layer = w.LayerLength > 0 ? LayerString(w) : null,
                };
                if (path is not null) candidate.Paths.Add(path);
                if (purl is not null) foreach (var (qk, qv) in purl.Qualifiers) candidate.Qualifiers.TryAdd(qk, qv);
                var key = target.AddPackage(candidate);
                cached = (target.Packages[key], key);
                state.Packages.Add(cacheKey, cached);
                // Remembered once per package, to take its source package and files from Packages[] when the result ends.
                if (result.PackageInfo is not null || w.Uid is not null || w.PkgId is not null)
                    (result.Used ??= []).Add((cached.Package, w.Uid, w.PkgId));
            }

            var o = new ParsedObservation
            {
                VulnerabilityId = w.VulnerabilityId,
                PackageKey = cached.Key,
                Severity = w.Severity,
                SeveritySource = w.SeveritySource,
                Status = w.Status,
                FixState = TrivyReportParser.MapStatus(w.Status, w.FixedVersion),
                Fingerprint = w.Fingerprint,
            };
            if (w.FixedVersion is { Length: > 0 } fixedVersion) SplitFixedVersions(fixedVersion, o.FixedVersions);
            if (w.VendorIds.Count > 0) foreach (var id in w.VendorIds) Identity.VulnerabilityIds.Classify(o, id);
            target.AddObservation(o);

            var v = new ParsedVulnerability
            {
                Id = w.VulnerabilityId,
                Title = w.Title,
                Description = w.Description,
                PrimaryUrl = w.PrimaryUrl,
                DataSource = w.DataSourceId ?? w.DataSourceName,
                PublishedAt = w.PublishedDate,
                ModifiedAt = w.LastModifiedDate,
            };
            if (w.CweIds.Count > 0) v.Cwes.AddRange(w.CweIds);
            if (w.Cvss.Count > 0) v.Cvss.AddRange(w.Cvss);
            if (w.References.Count > 0) v.References.AddRange(w.References);
            if (w.VendorSeverity.Count > 0)
                foreach (var (source, level) in w.VendorSeverity) v.SeverityBySource[source] = SeverityNames.FromTrivyNumber(level);
            Report.AddVulnerability(v);
        }

        private string LayerString(TrivyVulnerabilityWire w) => _rec.Pool.Get(w.Layer.AsSpan(0, w.LayerLength));

        private void SplitFixedVersions(string fixedVersion, List<string> into)
        {
            // Trivy joins several fixed versions with ", " ("11.0.14, 10.1.49, 9.0.112").
            if (!fixedVersion.Contains(','))
            {
                into.Add(fixedVersion);
                return;
            }
            foreach (var part in fixedVersion.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!into.Contains(part)) into.Add(part);
        }

        private Purl? ParsePurl(string? purl)
        {
            if (purl is null) return null;
            if (!_purls.TryGetValue(purl, out var parsed))
            {
                parsed = Purl.TryParse(purl);
                _purls[purl] = parsed;
            }
            return parsed;
        }

        private static bool LooksLikePath(string target) =>
            target.Contains('/') || target.Contains('.') || target.Contains('\\');

        private void FinishLegacyTarget(ParsedTarget target)
        {
            target.Kind = target.OsFamily is not null ? "container_image" : "filesystem";
        }

        // ------------------------------------------------------------ record loops (synchronous, over the buffer)

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        private static void ReadVulnerability(ref Utf8JsonReader r, Run run)
        {
            var w = run._wire;
            w.Reset();
            JsonRecord.Next(ref r);
            if (r.TokenType == JsonTokenType.Null) { w.IsNull = true; return; }
            if (r.TokenType != JsonTokenType.StartObject) throw run._js.WrongType(ref r, "Vulnerabilities[]", "an object");
            var rec = run._rec;
            var start = r.TokenStartIndex;
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) break;
                ReadOnlySpan<byte> name = r.ValueIsEscaped ? Encoding.UTF8.GetBytes(r.GetString()!) : r.ValueSpan;
                switch (name.Length)
                {
                    case 4 when name.SequenceEqual("CVSS"u8): ReadCvss(ref r, run, w.Cvss); continue;
                    case 5 when name.SequenceEqual("PkgID"u8): w.PkgId = rec.PooledString(ref r); continue;
                    case 5 when name.SequenceEqual("Layer"u8): ReadLayerBytes(ref r, w); continue;
                    case 5 when name.SequenceEqual("Title"u8): w.Title = JsonRecord.String(ref r); continue;
                    case 6 when name.SequenceEqual("Status"u8): w.Status = rec.PooledString(ref r); continue;
                    case 6 when name.SequenceEqual("CweIDs"u8): rec.StringArray(ref r, w.CweIds, pooled: true); continue;
                    case 7 when name.SequenceEqual("PkgName"u8): w.PkgName = rec.RequiredString(ref r, "PkgName"); continue;
                    case 7 when name.SequenceEqual("PkgPath"u8): w.PkgPath = rec.PooledString(ref r); continue;
                    case 8 when name.SequenceEqual("Severity"u8): w.Severity = ReadSeverity(ref r); continue;
                    case 9 when name.SequenceEqual("VendorIDs"u8): rec.StringArray(ref r, w.VendorIds, pooled: true); continue;
                    case 10 when name.SequenceEqual("PrimaryURL"u8): w.PrimaryUrl = JsonRecord.String(ref r); continue;
                    case 10 when name.SequenceEqual("DataSource"u8): ReadDataSource(ref r, run, w); continue;
                    case 10 when name.SequenceEqual("References"u8): rec.StringArray(ref r, w.References, pooled: false); continue;
                    case 11 when name.SequenceEqual("Fingerprint"u8): w.Fingerprint = JsonRecord.String(ref r); continue;
                    case 11 when name.SequenceEqual("Description"u8): w.Description = JsonRecord.String(ref r); continue;
                    case 12 when name.SequenceEqual("FixedVersion"u8): w.FixedVersion = rec.PooledString(ref r); continue;
                    case 13 when name.SequenceEqual("PkgIdentifier"u8): ReadIdentifier(ref r, run, out w.Purl, out w.Uid); continue;
                    case 13 when name.SequenceEqual("PublishedDate"u8): w.PublishedDate = JsonRecord.Date(ref r); continue;
                    case 14 when name.SequenceEqual("SeveritySource"u8): w.SeveritySource = rec.PooledString(ref r); continue;
                    case 14 when name.SequenceEqual("VendorSeverity"u8): ReadVendorSeverity(ref r, run, w.VendorSeverity); continue;
                    case 15 when name.SequenceEqual("VulnerabilityID"u8): w.VulnerabilityId = rec.RequiredString(ref r, "VulnerabilityID", pooled: false); continue;
                    case 16 when name.SequenceEqual("InstalledVersion"u8): w.InstalledVersion = rec.RequiredString(ref r, "InstalledVersion"); continue;
                    case 16 when name.SequenceEqual("LastModifiedDate"u8): w.LastModifiedDate = JsonRecord.Date(ref r); continue;
                    default:
                        if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                        continue;
                }
            }
            if ((string.IsNullOrEmpty(w.VulnerabilityId) || string.IsNullOrEmpty(w.PkgName)) && run._firstSkipped is null)
                run._firstSkipped = run._js.PositionAt(start);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        private static Severity ReadSeverity(ref Utf8JsonReader r)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.String) { JsonRecord.Skip(ref r); return Severity.Unknown; }
            var s = r.ValueSpan;
            if (Ascii.EqualsIgnoreCase(s, "CRITICAL"u8)) return Severity.Critical;
            if (Ascii.EqualsIgnoreCase(s, "HIGH"u8)) return Severity.High;
            if (Ascii.EqualsIgnoreCase(s, "MEDIUM"u8)) return Severity.Medium;
            if (Ascii.EqualsIgnoreCase(s, "LOW"u8)) return Severity.Low;
            return r.ValueIsEscaped ? SeverityNames.Parse(r.GetString()) : Severity.Unknown;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        private static void ReadLayer(ref Utf8JsonReader r, Run run, out string? diffId, out string? digest)
        {
            diffId = digest = null;
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "DiffID"u8)) diffId = run._rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "Digest"u8)) digest = run._rec.PooledString(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        /// <summary>Copies the layer's DiffID (else its Digest) into the record without making a string.</summary>
        private static void ReadLayerBytes(ref Utf8JsonReader r, TrivyVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            var haveDiffId = false;
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                var isDiffId = JsonRecord.Is(ref r, "DiffID"u8);
                if (!isDiffId && !JsonRecord.Is(ref r, "Digest"u8)) { if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException(); continue; }
                JsonRecord.Next(ref r);
                if (r.TokenType != JsonTokenType.String || (haveDiffId && !isDiffId)) { JsonRecord.Skip(ref r); continue; }
                if (r.ValueIsEscaped || r.ValueSpan.Length > w.Layer.Length)
                {
                    // Digests are plain ASCII; anything else is kept by the slower, exact path.
                    var bytes = System.Text.Encoding.UTF8.GetBytes(r.GetString()!);
                    if (bytes.Length > w.Layer.Length) continue;
                    bytes.CopyTo(w.Layer, 0);
                    w.LayerLength = bytes.Length;
                }
                else
                {
                    r.ValueSpan.CopyTo(w.Layer);
                    w.LayerLength = r.ValueSpan.Length;
                }
                haveDiffId |= isDiffId;
            }
        }

        private static void ReadIdentifier(ref Utf8JsonReader r, Run run, out string? purl, out string? uid)
        {
            purl = uid = null;
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "PURL"u8)) purl = run._rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "UID"u8)) uid = run._rec.PooledString(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        private static void ReadDataSource(ref Utf8JsonReader r, Run run, TrivyVulnerabilityWire w)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "ID"u8)) w.DataSourceId = run._rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "Name"u8)) w.DataSourceName = run._rec.PooledString(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]

        private static void ReadVendorSeverity(ref Utf8JsonReader r, Run run, List<(string, int)> into)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                var source = r.ValueIsEscaped ? r.GetString()! : run._rec.Pool.Get(r.ValueSpan);
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var level)) into.Add((source, level));
                else JsonRecord.Skip(ref r);
            }
        }

        /// <summary>CVSS: { source: { V2Vector, V2Score, V3Vector, V3Score, V40Vector, V40Score } }.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ReadCvss(ref Utf8JsonReader r, Run run, List<CvssScore> into)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                var source = r.ValueIsEscaped ? r.GetString()! : run._rec.Pool.Get(r.ValueSpan);
                JsonRecord.Next(ref r);
                if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                string? v2 = null, v3 = null, v4 = null;
                double? s2 = null, s3 = null, s4 = null;
                while (true)
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    if (JsonRecord.Is(ref r, "V3Vector"u8)) v3 = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "V3Score"u8)) s3 = JsonRecord.Double(ref r);
                    else if (JsonRecord.Is(ref r, "V2Vector"u8)) v2 = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "V2Score"u8)) s2 = JsonRecord.Double(ref r);
                    else if (JsonRecord.Is(ref r, "V40Vector"u8)) v4 = run._rec.PooledString(ref r);
                    else if (JsonRecord.Is(ref r, "V40Score"u8)) s4 = JsonRecord.Double(ref r);
                    else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                }
                if (v2 is not null || s2 is not null) into.Add(new CvssScore(source, "2.0", v2, s2));
                if (v3 is not null || s3 is not null) into.Add(new CvssScore(source, CvssVersion(v3, "3.x"), v3, s3));
                if (v4 is not null || s4 is not null) into.Add(new CvssScore(source, "4.0", v4, s4));
            }
        }

        private static void ReadPackage(ref Utf8JsonReader r, Run run)
        {
            var w = run._pkgWire;
            w.Reset();
            var rec = run._rec;
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "ID"u8)) w.Id = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "Name"u8)) w.Name = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "Version"u8)) w.Version = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "Release"u8)) w.Release = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "Epoch"u8)) w.Epoch = (int?)JsonRecord.Double(ref r);
                else if (JsonRecord.Is(ref r, "Identifier"u8)) ReadIdentifier(ref r, run, out w.Purl, out w.Uid);
                else if (JsonRecord.Is(ref r, "SrcName"u8)) w.SrcName = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "SrcVersion"u8)) w.SrcVersion = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "SrcRelease"u8)) w.SrcRelease = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "SrcEpoch"u8)) w.SrcEpoch = (int?)JsonRecord.Double(ref r);
                else if (JsonRecord.Is(ref r, "Layer"u8)) { ReadLayer(ref r, run, out var diffId, out var digest); w.LayerDiffId = diffId ?? digest; }
                else if (JsonRecord.Is(ref r, "FilePath"u8)) w.FilePath = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "InstalledFiles"u8)) rec.StringArray(ref r, w.InstalledFiles, pooled: false);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadMetadata(ref Utf8JsonReader r, Run run)
        {
            var m = run._meta;
            m.Reset();
            var rec = run._rec;
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "OS"u8))
                {
                    JsonRecord.Next(ref r);
                    if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); continue; }
                    while (true)
                    {
                        JsonRecord.Next(ref r);
                        if (r.TokenType == JsonTokenType.EndObject) break;
                        if (JsonRecord.Is(ref r, "Family"u8)) m.OsFamily = rec.PooledString(ref r);
                        else if (JsonRecord.Is(ref r, "Name"u8)) m.OsName = rec.PooledString(ref r);
                        else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
                    }
                }
                else if (JsonRecord.Is(ref r, "ImageID"u8)) m.ImageId = rec.PooledString(ref r);
                else if (JsonRecord.Is(ref r, "RepoTags"u8)) rec.StringArray(ref r, m.RepoTags, pooled: true);
                else if (JsonRecord.Is(ref r, "RepoDigests"u8)) rec.StringArray(ref r, m.RepoDigests, pooled: true);
                else if (JsonRecord.Is(ref r, "Size"u8)) m.Size = (long?)JsonRecord.Double(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }

        private static void ReadTrivyInfo(ref Utf8JsonReader r, Run run)
        {
            JsonRecord.Next(ref r);
            if (r.TokenType != JsonTokenType.StartObject) { JsonRecord.Skip(ref r); return; }
            while (true)
            {
                JsonRecord.Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) return;
                if (JsonRecord.Is(ref r, "Version"u8)) run.Report.ScannerVersion = JsonRecord.String(ref r);
                else if (!r.TrySkip()) throw new JsonStreamReader.NeedMoreDataException();
            }
        }
    }

    /// <summary>Trivy's Status (peers.md §5.5, 8 values). Reports from before Status existed only say whether a fixed version is known.</summary>
    internal static FixState MapStatus(string? status, string? fixedVersion) => status switch
    {
        "fixed" => FixState.Fixed,
        "affected" => FixState.NotFixed,
        "will_not_fix" => FixState.WontFix,
        "fix_deferred" => FixState.Deferred,
        "end_of_life" => FixState.EndOfLife,
        // not_affected and under_investigation say nothing about a fix; the raw word stays in Status.
        "unknown" or "not_affected" or "under_investigation" => FixState.Unknown,
        null or "" => string.IsNullOrEmpty(fixedVersion) ? FixState.Unknown : FixState.Fixed,
        _ => FixState.Unknown,
    };

    /// <summary>"CVSS:3.1/AV:N/…" → "3.1"; a vector without the prefix keeps <paramref name="fallback"/>.</summary>
    internal static string CvssVersion(string? vector, string fallback)
    {
        if (vector is null || !vector.StartsWith("CVSS:", StringComparison.Ordinal)) return fallback;
        var slash = vector.IndexOf('/');
        return slash > 5 ? vector[5..slash] : fallback;
    }

    /// <summary>Trivy's ArtifactType to the target kinds of <see cref="ParsedTarget.Kind"/>.</summary>
    internal static string TargetKind(string? artifactType) => artifactType switch
    {
        "container_image" => "container_image",
        "filesystem" => "filesystem",
        "repository" => "repository",
        "vm" => "vm",
        "cyclonedx" or "spdx" => "sbom",
        null or "" => "container_image",
        _ => artifactType,
    };

    /// <summary>Splits an OS result's target "alpine:3.19 (alpine 3.19.9)" into the image and its OS.</summary>
    internal static bool TryParseOsTarget(string target, out string image, out string? family, out string? version)
    {
        image = target;
        family = version = null;
        if (!target.EndsWith(')')) return false;
        // The first " (": an OS name can itself hold parentheses ("amazon 2 (Karoo)"), an image reference cannot.
        var open = target.IndexOf(" (", StringComparison.Ordinal);
        if (open <= 0) return false;
        image = target[..open];
        var os = target.AsSpan(open + 2, target.Length - open - 3).Trim();
        var space = os.IndexOf(' ');
        family = (space > 0 ? os[..space] : os).ToString();
        version = space > 0 ? os[(space + 1)..].Trim().ToString() : null;
        return family.Length > 0;
    }
}
