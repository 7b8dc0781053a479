using Triage.Core.Ingest;
using Triage.Core.Runtime.Code;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Json;
using Triage.Core.Runtime.Packages;

namespace Triage.Core.Runtime;

/// <summary>Options for <see cref="RuntimeEvidenceReader"/>; each applies to the formats named.</summary>
public sealed record RuntimeReadOptions
{
    /// <summary>Cluster name, snapshot time and environment rules (pod lists, trivy-operator).</summary>
    public InventoryOptions Inventory { get; init; } = new();
    /// <summary>Completeness of a slim creport's profile (default Complete: slim watches the whole probe run).</summary>
    public ProfileCompleteness SlimProfile { get; init; } = ProfileCompleteness.Complete;
    /// <summary>The image a creport describes, when the caller knows it (old reports do not name it).</summary>
    public RuntimeImageReference? SlimImage { get; init; }
    /// <summary>Source name for file-access JSON lines without a header ("tetragon", "strace"…).</summary>
    public string? FileAccessSource { get; init; }
    public int MaxDepth { get; init; } = 64;
}

/// <summary>One parsed runtime-evidence file. Exactly the members that belong to <see cref="Kind"/> are set.</summary>
public sealed class RuntimeEvidenceDocument
{
    public required RuntimeEvidenceKind Kind { get; init; }
    public DeploymentInventory? Inventory { get; init; }
    /// <summary>The scan half of a trivy-operator report, as a Trivy <see cref="ParsedReport"/>.</summary>
    public ParsedReport? ScanReport { get; init; }
    public SlimContainerReport? SlimContainer { get; init; }
    public SlimCommandReport? SlimCommand { get; init; }
    public IReadOnlyList<FileAccessProfile> FileAccessProfiles { get; init; } = [];
    public GovulncheckReport? Govulncheck { get; init; }
    public PackageFileIndex? PackageFiles { get; init; }
}

/// <summary>Reads any supported runtime-evidence file, detecting its format from content (<see cref="RuntimeEvidenceSniffer"/>).</summary>
public static class RuntimeEvidenceReader
{
    public static async Task<RuntimeEvidenceDocument> ReadAsync(Stream input, RuntimeReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RuntimeReadOptions();
        var (head, length, replay) = await PrefixedStream.PeekAsync(input, RuntimeEvidenceSniffer.DefaultHeadSize, cancellationToken).ConfigureAwait(false);
        await using var _ = replay.ConfigureAwait(false);
        var kind = RuntimeEvidenceSniffer.Sniff(head.AsSpan(0, length));
        var inventoryOptions = options.Inventory with { MaxDepth = options.MaxDepth };
        switch (kind)
        {
            case RuntimeEvidenceKind.KubernetesPods:
                return new() { Kind = kind, Inventory = await KubernetesPodListParser.ParseAsync(replay, inventoryOptions, cancellationToken).ConfigureAwait(false) };
            case RuntimeEvidenceKind.TrivyOperatorReport:
                var trivy = await TrivyOperatorReportParser.ParseAsync(replay, inventoryOptions, cancellationToken).ConfigureAwait(false);
                return new() { Kind = kind, Inventory = trivy.Inventory, ScanReport = trivy.Report };
            case RuntimeEvidenceKind.SlimContainerReport:
                return new() { Kind = kind, SlimContainer = await SlimReportParser.ParseContainerReportAsync(replay, options.SlimProfile, options.SlimImage, options.MaxDepth, cancellationToken).ConfigureAwait(false) };
            case RuntimeEvidenceKind.SlimCommandReport:
                return new() { Kind = kind, SlimCommand = await SlimReportParser.ParseCommandReportAsync(replay, options.MaxDepth, cancellationToken).ConfigureAwait(false) };
            case RuntimeEvidenceKind.FileAccessJsonLines:
                return new() { Kind = kind, FileAccessProfiles = await FileAccessJsonLinesParser.ParseAsync(replay, options.FileAccessSource, cancellationToken).ConfigureAwait(false) };
            case RuntimeEvidenceKind.Govulncheck:
                return new() { Kind = kind, Govulncheck = await GovulncheckParser.ParseAsync(replay, options.MaxDepth, cancellationToken).ConfigureAwait(false) };
            case RuntimeEvidenceKind.PackageFileList:
                return new() { Kind = kind, PackageFiles = await PackageFileListParser.ParseAsync(replay, options.MaxDepth, cancellationToken).ConfigureAwait(false) };
            default:
                throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"Runtime evidence: no reader for {kind.ToWire()}.");
        }
    }
}
