using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Runtime.Files;

/// <summary>
/// Reads slim (formerly docker-slim) reports. Shapes follow slimtoolkit/slim pkg/report (container_report.go,
/// command_report.go). Fixtures: kyos0109/nginx-docker-slim creport.json (2018 docker-slim, no image identity) and
/// andreburgaud/docker-sslyze slim.report.json (docker-slim 1.39.0).
/// </summary>
public static class SlimReportParser
{
    /// <summary>
    /// Reads <c>creport.json</c>. The access profile is Complete by default: slim's monitors watch the container from
    /// its first process to the end of the probe run, and the minified image is cut from exactly that list.
    /// Pass <paramref name="completeness"/> = Partial when the run is known not to exercise the workload fully.
    /// </summary>
    public static async Task<SlimContainerReport> ParseContainerReportAsync(Stream utf8Json, ProfileCompleteness completeness = ProfileCompleteness.Complete,
        RuntimeImageReference? image = null, int maxDepth = 64, CancellationToken cancellationToken = default)
    {
        const string what = "slim container report (creport.json)";
        using var doc = await JsonDocs.ParseAsync(utf8Json, what, maxDepth, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || (root.Obj("monitors") is null && root.Obj("image") is null))
            throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{what}: expected an object with 'monitors' and 'image'.");

        image ??= IdentityOf(root.Obj("image")?.Obj("identity"));
        var profile = new FileAccessProfile("slim-creport", completeness, image)
        {
            PartialReason = completeness == ProfileCompleteness.Partial ? "marked partial by the importer" : null,
        };
        var fan = root.Obj("monitors")?.Obj("fan");
        var processCount = 0;
        if (fan is { } f)
        {
            processCount = f.Props("processes").Count();
            foreach (var process in f.Props("process_files"))
            {
                if (process.Value.ValueKind != JsonValueKind.Object) continue;
                foreach (var file in process.Value.EnumerateObject())
                {
                    var reads = file.Value.Long("reads") ?? 0;
                    var writes = file.Value.Long("writes") ?? 0;
                    var execs = file.Value.Long("execs") ?? 0;
                    var ops = (reads > 0 ? FileOps.Read : 0) | (writes > 0 ? FileOps.Write : 0) | (execs > 0 ? FileOps.Execute : 0);
                    profile.Add(file.Name, ops == FileOps.None ? FileOps.Open : ops, reads, writes, execs);
                }
            }
        }
        // ptrace file-system activity (newer slim): paths checked or opened by any syscall.
        foreach (var fs in root.Obj("monitors")?.Obj("pt")?.Props("fs_activity") ?? [])
            if (fs.Value.Bool("is_subdir") != true) profile.Add(fs.Name, FileOps.Open);

        var kept = new ImageFileInventory("slim-creport", null);
        foreach (var file in root.Obj("image")?.Arr("files") ?? [])
        {
            var path = PathNormalizer.Normalize(file.Str("file_path"));
            if (path is null) continue;
            var type = file.Str("file_type");
            if (type == "Symlink" && file.Str("link_ref") is { Length: > 0 } target && PathNormalizer.ResolveLink(path, target) is { } resolved)
                kept.Links[path] = resolved;
            else if (type != "Dir") kept.Files.Add(path);
            // Flags record use too (R/W/X), also for files the fan monitor attributed to no process.
            var flags = file.Obj("flags");
            if (flags is { } fl)
            {
                var ops = (fl.Bool("R") == true ? FileOps.Read : 0) | (fl.Bool("W") == true ? FileOps.Write : 0) | (fl.Bool("X") == true ? FileOps.Execute : 0);
                if (ops != FileOps.None) profile.Add(path, ops);
            }
        }

        var main = fan?.Obj("main_process");
        return new SlimContainerReport
        {
            Accesses = profile,
            KeptFiles = kept,
            Image = image,
            MainProcess = main?.Str("path") ?? main?.Str("name"),
            Distro = root.Obj("system")?.Obj("distro")?.Str("display_name") is { Length: > 0 } d ? d : null,
            ProcessCount = processCount,
        };
    }

    /// <summary>Reads <c>slim.report.json</c> (the command report of build/xray/profile).</summary>
    public static async Task<SlimCommandReport> ParseCommandReportAsync(Stream utf8Json, int maxDepth = 64, CancellationToken cancellationToken = default)
    {
        const string what = "slim command report (slim.report.json)";
        using var doc = await JsonDocs.ParseAsync(utf8Json, what, maxDepth, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || root.Str("engine") is null)
            throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{what}: expected an object with 'engine'.");

        var source = root.Obj("source_image");
        var original = IdentityOf(source?.Obj("identity"));
        if (original is null && root.Str("target_reference") is { Length: > 0 } target) original = RuntimeImageReference.Parse(target);
        var stack = new List<SlimStackImage>();
        foreach (var s in root.Arr("image_stack"))
            stack.Add(new SlimStackImage(s.Str("id"), s.Str("full_name"), s.Str("repo_name"), s.Str("version_tag"), s.Bool("is_top_image") == true,
                s.Long("new_size"), s.Str("base_image_id"), s.Arr("instructions").Count()));
        return new SlimCommandReport
        {
            Engine = root.Str("engine"),
            Type = root.Str("type"),
            State = root.Str("state"),
            TargetReference = root.Str("target_reference"),
            OriginalImage = original,
            OriginalSize = source?.Long("size"),
            MinifiedImage = root.Str("minified_image"),
            MinifiedImageId = root.Str("minified_image_id"),
            MinifiedImageDigest = root.Str("minified_image_digest"),
            MinifiedSize = root.Long("minified_image_size"),
            MinifiedBy = root.Double("minified_by"),
            ContainerReportName = root.Str("container_report_name"),
            ImageStack = stack,
        };
    }

    /// <summary>slim's image identity: {id, tags, names, digests}. The first name (or id) is the reference.</summary>
    private static RuntimeImageReference? IdentityOf(JsonElement? identity)
    {
        if (identity is not { } i) return null;
        var id = i.Str("id");
        var name = i.Arr("names").Select(n => n.AsString()).FirstOrDefault(n => !string.IsNullOrEmpty(n));
        var digest = i.Arr("digests").Select(n => n.AsString()).FirstOrDefault(n => !string.IsNullOrEmpty(n));
        if (name is null && id is null && digest is null) return null;
        var reference = RuntimeImageReference.Parse(digest ?? name ?? id!);
        var parsedId = id is not null && RuntimeImageReference.IsDigest(id) ? id.ToLowerInvariant() : null;
        return reference with { Reference = name ?? reference.Reference, ImageId = reference.ImageId ?? parsedId, Tag = reference.Tag ?? (name is null ? null : RuntimeImageReference.Parse(name).Tag) };
    }
}
