using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Runtime.Inventory;

/// <summary>
/// Reads <c>kubectl get pods -A -o json</c> (kind List, items of kind Pod) and the kubelet's <c>/pods</c> (kind PodList),
/// one pod at a time, into a <see cref="DeploymentInventory"/>. A single Pod object is accepted too.
/// Fixture: honeycombio/honeycomb-kubernetes-agent testdata/pods.json (kubelet PodList, Kubernetes 1.18, dockershim).
/// </summary>
public static class KubernetesPodListParser
{
    private const string What = "Kubernetes pod list";
    private static readonly HashSet<string> Streamed = new(StringComparer.Ordinal) { "items" };

    /// <summary>Per-revision labels: they differ between pods of one workload and say nothing about it.</summary>
    private static readonly HashSet<string> RevisionLabels = new(StringComparer.Ordinal)
    {
        "pod-template-hash", "controller-revision-hash", "pod-template-generation",
        "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "batch.kubernetes.io/controller-uid",
        "controller-uid", "batch.kubernetes.io/job-name", "job-name",
    };

    public static async Task<DeploymentInventory> ParseAsync(Stream utf8Json, InventoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new InventoryOptions();
        var inventory = new DeploymentInventory { Source = InventorySource.KubernetesPods, Cluster = options.Cluster, ObservedAt = options.ObservedAt };
        var acc = new Dictionary<(string Ns, string Kind, string Name, string Container, bool Init, string Image), Accumulator>();
        string? rootKind = null;
        var sawItems = false;
        var single = new List<(string Property, JsonElement Value)>();
        var shape = new InventoryShape();

        await foreach (var item in JsonItemStream.ReadAsync(utf8Json, Streamed, What, options.MaxDepth, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (item.Index >= 0)
            {
                sawItems = true;
                AddPod(item.Value, options, acc, inventory.Warnings, shape);
                continue;
            }
            if (item.Property == "kind") rootKind = item.Value.AsString();
            else if (item.Property is "metadata" or "spec" or "status") single.Add((item.Property, item.Value));
            else if (item.Property == "") throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: the document is a JSON array, not a Kubernetes object.");
        }

        if (rootKind == "Pod")
        {
            // A single pod: rebuild it from its top-level parts.
            using var doc = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(single.ToDictionary(p => p.Property, p => p.Value)));
            AddPod(doc.RootElement, options, acc, inventory.Warnings, shape);
            shape.SingleObject = true;
        }
        else if (rootKind is not ("PodList" or "List") && !sawItems)
            throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: expected kind PodList, List or Pod, found {(rootKind is null ? "no kind" : $"kind '{rootKind}'")}.");
        // The API server versions every list it answers; the kubelet's /pods answers with empty list metadata.
        shape.KubeletList = rootKind == "PodList" && !single.Any(p => p.Property == "metadata" && p.Value.Str("resourceVersion") is { Length: > 0 });
        inventory.SetCoverage(options, shape);

        foreach (var ((ns, kind, name, container, init, _), a) in acc.OrderBy(e => e.Key.Ns, StringComparer.Ordinal)
                     .ThenBy(e => e.Key.Name, StringComparer.Ordinal).ThenBy(e => e.Key.Container, StringComparer.Ordinal).ThenBy(e => e.Key.Image, StringComparer.Ordinal))
        {
            inventory.Workloads.Add(new WorkloadImage
            {
                Cluster = options.Cluster,
                Namespace = ns,
                WorkloadKind = kind,
                WorkloadName = name,
                Container = container,
                InitContainer = init,
                Image = a.Image,
                Environment = options.Environments.Resolve(ns, a.Labels ?? new Dictionary<string, string>()),
                Replicas = a.Active,
                Pods = a.Pods,
                Labels = a.Labels ?? new Dictionary<string, string>(),
                StartedAt = a.StartedAt,
            });
        }
        return inventory;
    }

    private sealed class Accumulator(RuntimeImageReference image)
    {
        public RuntimeImageReference Image { get; set; } = image;
        public int Pods;
        public int Active;
        public Dictionary<string, string>? Labels;
        public DateTimeOffset? StartedAt;
    }

    private static void AddPod(JsonElement pod, InventoryOptions options, Dictionary<(string, string, string, string, bool, string), Accumulator> acc, List<string> warnings,
        InventoryShape shape)
    {
        if (pod.ValueKind != JsonValueKind.Object) { warnings.Add("An item that is not a JSON object was skipped."); return; }
        var itemKind = pod.Str("kind");
        if (itemKind is not (null or "Pod")) { warnings.Add($"An item of kind '{itemKind}' was skipped (only Pods are read)."); return; }
        var meta = pod.Obj("metadata");
        var podName = meta?.Str("name") ?? "(unnamed)";
        var ns = meta?.Str("namespace") ?? "default";
        shape.Namespaces.Add(ns);
        if (pod.Obj("spec")?.Str("nodeName") is { Length: > 0 } node) shape.Nodes.Add(node);
        else shape.PodsWithoutNode = true;
        var labels = meta?.StringMap("labels") ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var (kind, name) = Owner(meta, podName, labels);
        var status = pod.Obj("status");
        var phase = status?.Str("phase");
        var active = phase is null or "Running" or "Pending" or "Unknown";
        var startTime = status?.Time("startTime");

        var seen = new HashSet<(string, bool)>();
        foreach (var (statuses, init) in new[] { ("containerStatuses", false), ("initContainerStatuses", true) })
        {
            if (status is not { } st) break;
            foreach (var cs in st.Arr(statuses))
            {
                var container = cs.Str("name") ?? "(unnamed)";
                var image = Image(cs.Str("image"), cs.Str("imageID"));
                if (image is null) { warnings.Add($"Pod {ns}/{podName} container {container}: no image reference, skipped."); continue; }
                seen.Add((container, init));
                Add(acc, (ns, kind, name, container, init, image.Key), image, active, labels, startTime);
            }
        }
        // Containers without a status yet (pod not started): the spec still says which image will run, without a digest.
        var spec = pod.Obj("spec");
        foreach (var (list, init) in new[] { ("containers", false), ("initContainers", true) })
        {
            if (spec is not { } sp) break;
            foreach (var c in sp.Arr(list))
            {
                var container = c.Str("name") ?? "(unnamed)";
                if (seen.Contains((container, init))) continue;
                if (Image(c.Str("image"), null) is not { } image) continue;
                warnings.Add($"Pod {ns}/{podName} container {container}: no status yet, image digest unknown.");
                Add(acc, (ns, kind, name, container, init, image.Key), image, active, labels, startTime);
            }
        }
    }

    private static void Add(Dictionary<(string, string, string, string, bool, string), Accumulator> acc, (string, string, string, string, bool, string) key,
        RuntimeImageReference image, bool active, Dictionary<string, string> labels, DateTimeOffset? startTime)
    {
        if (!acc.TryGetValue(key, out var a)) acc[key] = a = new Accumulator(image);
        a.Pods++;
        if (active) a.Active++;
        var stable = labels.Where(l => !RevisionLabels.Contains(l.Key)).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
        if (a.Labels is null) a.Labels = stable;
        else foreach (var k in a.Labels.Keys.ToList())
            if (!stable.TryGetValue(k, out var v) || v != a.Labels[k]) a.Labels.Remove(k);
        if (startTime is { } t && (a.StartedAt is null || t < a.StartedAt)) a.StartedAt = t;
    }

    /// <summary>Repository and tag from the reference, digest from the runtime's imageID when it has one.</summary>
    internal static RuntimeImageReference? Image(string? image, string? imageId)
    {
        RuntimeImageReference? byName = string.IsNullOrWhiteSpace(image) ? null : RuntimeImageReference.Parse(image);
        RuntimeImageReference? byId = string.IsNullOrWhiteSpace(imageId) ? null : RuntimeImageReference.Parse(imageId);
        if (byName is null) return byId;
        if (byId is null) return byName;
        // dockershim reports the image name in `image`; containerd sometimes puts "sha256:<config id>" there instead.
        var repository = byName.Repository ?? byId.Repository;
        return new RuntimeImageReference(image!.Trim(), repository, byName.Tag, byName.Digest ?? byId.Digest, byName.ImageId ?? byId.ImageId);
    }

    /// <summary>The controlling owner; a ReplicaSet named "&lt;deployment&gt;-&lt;pod-template-hash&gt;" is reported as its Deployment.</summary>
    private static (string Kind, string Name) Owner(JsonElement? meta, string podName, Dictionary<string, string> labels)
    {
        JsonElement? owner = null;
        if (meta is { } m)
            foreach (var o in m.Arr("ownerReferences"))
            {
                owner ??= o;
                if (o.Bool("controller") == true) { owner = o; break; }
            }
        if (owner is not { } ow) return ("Pod", podName);
        var kind = ow.Str("kind") ?? "Unknown";
        var name = ow.Str("name") ?? podName;
        if (kind == "ReplicaSet" && labels.TryGetValue("pod-template-hash", out var hash) && name.Length > hash.Length + 1 && name.EndsWith("-" + hash, StringComparison.Ordinal))
            return ("Deployment", name[..^(hash.Length + 1)]);
        return (kind, name);
    }
}
