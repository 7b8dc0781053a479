using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Runtime.Packages;

/// <summary>Which document a package file list came from.</summary>
public enum PackageListFormat
{
    /// <summary>Trivy JSON with <c>--list-all-pkgs</c>: Results[].Packages[].InstalledFiles.</summary>
    TrivyJson,
    /// <summary>Syft JSON: artifacts[].locations and, for deb/rpm/apk, metadata.files.</summary>
    SyftJson,
    /// <summary>CycloneDX JSON: components[].evidence.occurrences and location properties.</summary>
    CycloneDx,
}

public static class PackageListFormatNames
{
    public static string ToWire(this PackageListFormat f) => f switch
    {
        PackageListFormat.TrivyJson => "trivy",
        PackageListFormat.SyftJson => "syft",
        PackageListFormat.CycloneDx => "cyclonedx",
    };
}

/// <summary>Packages of one image with their files, looked up by purl or by type/name/version.</summary>
public sealed class PackageFileIndex
{
    private readonly Dictionary<string, PackageFiles> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PackageRef> _byComponent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _types = new(StringComparer.Ordinal);

    public PackageFileIndex(PackageListFormat format) => Format = format;

    public PackageListFormat Format { get; }
    /// <summary>The image the list describes, when the caller knows it (shown in verdicts that use it as the running image's list).</summary>
    public string? Image { get; set; }
    public List<PackageFiles> Packages { get; } = [];
    public List<string> Warnings { get; } = [];

    internal void Add(PackageFiles files, params string?[] extraVersions)
    {
        Packages.Add(files);
        var p = files.Package;
        _types.Add(p.Type.ToLowerInvariant());
        _byComponent.TryAdd(ComponentKey(p), p);
        if (p.Purl is { } purl) _byKey.TryAdd("purl:" + StripQualifiers(purl), files);
        foreach (var v in extraVersions.Prepend(p.Version))
            if (!string.IsNullOrEmpty(v)) _byKey.TryAdd(NameKey(p.Type, p.Name, v), files);
    }

    /// <summary>Finds the file list for a package: by purl without qualifiers, else by type, name and version
    /// (Trivy splits Debian/RPM versions into Version and Release; both spellings are indexed).</summary>
    public PackageFiles? Find(PackageRef package)
    {
        if (package.Purl is { } purl && _byKey.TryGetValue("purl:" + StripQualifiers(purl), out var byPurl)) return byPurl;
        return _byKey.GetValueOrDefault(NameKey(package.Type, package.Name, package.Version));
    }

    /// <summary>Whether the list holds any package of the package's type: a list that catalogues no npm packages at all
    /// (another scanner, another cataloguer) cannot show that an npm package is absent.</summary>
    public bool Catalogues(PackageRef package) => _types.Contains(package.Type.ToLowerInvariant());

    /// <summary>A package of the same component at any version. Names are compared loosely (case, '-', '_' and '.', the
    /// last segment of a group or module path): a looser match only ever keeps a package counted as present.</summary>
    public PackageRef? FindComponent(PackageRef package) => _byComponent.GetValueOrDefault(ComponentKey(package));

    private static string ComponentKey(PackageRef p)
    {
        var name = p.Name;
        var cut = name.LastIndexOfAny(['/', ':']);
        if (cut >= 0 && cut < name.Length - 1) name = name[(cut + 1)..];
        var key = new System.Text.StringBuilder(p.Type.Length + name.Length + 1).Append(p.Type.ToLowerInvariant()).Append('/');
        foreach (var c in name) key.Append(c is '_' or '.' ? '-' : char.ToLowerInvariant(c));
        return key.ToString();
    }

    private static string NameKey(string type, string name, string version) => $"{type.ToLowerInvariant()}/{name}@{version}";

    internal static string StripQualifiers(string purl)
    {
        var q = purl.IndexOfAny(['?', '#']);
        return q < 0 ? purl : purl[..q];
    }
}

/// <summary>Reads package file lists from Trivy, Syft or CycloneDX JSON (detected from content), one record at a time.</summary>
public static class PackageFileListParser
{
    private const string What = "package file list";
    private static readonly HashSet<string> Streamed = new(StringComparer.Ordinal) { "Results", "artifacts", "components" };

    public static async Task<PackageFileIndex> ParseAsync(Stream utf8Json, int maxDepth = 64, CancellationToken cancellationToken = default)
    {
        PackageFileIndex? index = null;
        var pending = new List<JsonItem>();
        await foreach (var item in JsonItemStream.ReadAsync(utf8Json, Streamed, What, maxDepth, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (item.Property == "") throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: the document is a JSON array, not a Trivy, Syft or CycloneDX document.");
            index ??= item.Property switch
            {
                "SchemaVersion" or "ArtifactName" or "Results" => new PackageFileIndex(PackageListFormat.TrivyJson),
                "artifacts" or "artifactRelationships" => new PackageFileIndex(PackageListFormat.SyftJson),
                "bomFormat" or "components" or "specVersion" => new PackageFileIndex(PackageListFormat.CycloneDx),
                _ => null,
            };
            if (index is null) { pending.Add(item); continue; }
            foreach (var p in pending) Read(index, p);
            pending.Clear();
            Read(index, item);
        }
        return index ?? throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: not a Trivy (--list-all-pkgs), Syft or CycloneDX JSON document.");
    }

    private static void Read(PackageFileIndex index, JsonItem item)
    {
        if (item.Index < 0) return;
        switch (index.Format)
        {
            case PackageListFormat.TrivyJson when item.Property == "Results": ReadTrivyResult(index, item.Value); break;
            case PackageListFormat.SyftJson when item.Property == "artifacts": ReadSyftArtifact(index, item.Value); break;
            case PackageListFormat.CycloneDx when item.Property == "components": ReadCdxComponent(index, item.Value); break;
            case PackageListFormat.TrivyJson or PackageListFormat.SyftJson or PackageListFormat.CycloneDx: break;
        }
    }

    private static void ReadTrivyResult(PackageFileIndex index, JsonElement result)
    {
        var resultType = result.Str("Type");
        var osClass = result.Str("Class") == "os-pkgs";
        var target = result.Str("Target");
        foreach (var p in result.Arr("Packages"))
        {
            if (p.Str("Name") is not { } name) continue;
            var version = p.Str("Version") ?? "";
            var release = p.Str("Release");
            var epoch = p.Long("Epoch");
            var purl = p.Obj("Identifier")?.Str("PURL");
            var type = PurlType(purl) ?? (osClass ? OsType(resultType) : resultType) ?? "unknown";
            var package = new PackageRef(type, null, name, version, purl);
            var manifest = new List<string>();
            if (p.Str("FilePath") is { Length: > 0 } fp) manifest.Add(fp);
            // Without FilePath, a lang-pkgs Target is either a path (a Go/Rust binary, a lockfile) or a label such as
            // "Node.js" or "Java"; only a path says where the package is.
            else if (!osClass && target is { Length: > 0 } && target.Contains('/')) manifest.Add(target);
            var files = PackageFiles.For(package, p.Arr("InstalledFiles").Select(f => f.AsString()).OfType<string>(), manifest);
            var full = release is { Length: > 0 } ? $"{version}-{release}" : null;
            index.Add(files, full, full is not null && epoch is > 0 ? $"{epoch}:{full}" : null);
        }
    }

    private static void ReadSyftArtifact(PackageFileIndex index, JsonElement a)
    {
        if (a.Str("name") is not { } name) return;
        var purl = a.Str("purl");
        var type = PurlType(purl) ?? a.Str("type") ?? "unknown";
        var package = new PackageRef(type, null, name, a.Str("version") ?? "", purl);
        var metadata = a.Obj("metadata");
        var listed = new List<string>();
        var root = metadata?.Str("sitePackagesRootPath");
        foreach (var f in metadata?.Arr("files") ?? [])
        {
            var path = f.ValueKind == JsonValueKind.String ? f.GetString() : f.Str("path");
            if (string.IsNullOrEmpty(path)) continue;
            // Python file records are relative to site-packages.
            listed.Add(!path.StartsWith('/') && root is { Length: > 0 } ? $"{root}/{path}" : path);
        }
        var isOs = type is "deb" or "rpm" or "apk" or "alpm";
        var locations = a.Arr("locations").Select(l => l.Str("path") ?? l.Str("realPath")).OfType<string>().ToList();
        // Python lists from Syft include the metadata directory but may miss modules; keep them as positive evidence only.
        var files = isOs || listed.Count == 0 || !type.Contains("py", StringComparison.OrdinalIgnoreCase)
            ? PackageFiles.For(package, isOs ? listed : [], isOs ? [] : locations.Concat(listed))
            : PackageFiles.For(package, [], locations.Concat(listed));
        index.Add(files);
    }

    private static void ReadCdxComponent(PackageFileIndex index, JsonElement c)
    {
        if (c.Str("name") is { } name && c.Str("type") is not ("file" or "operating-system" or "container"))
        {
            var purl = c.Str("purl");
            var ns = c.Str("group");
            var package = new PackageRef(PurlType(purl) ?? c.Str("type") ?? "unknown", string.IsNullOrEmpty(ns) ? null : ns, name, c.Str("version") ?? "", purl);
            var paths = new List<string>();
            foreach (var o in c.Obj("evidence")?.Arr("occurrences") ?? [])
                if (o.Str("location") is { Length: > 0 } loc) paths.Add(loc);
            foreach (var prop in c.Arr("properties"))
            {
                var pn = prop.Str("name");
                if (pn is null || prop.Str("value") is not { Length: > 0 } value) continue;
                // syft:location:0:path (Syft), aquasecurity:trivy:FilePath (Trivy).
                if ((pn.StartsWith("syft:location:", StringComparison.Ordinal) && pn.EndsWith(":path", StringComparison.Ordinal)) || pn == "aquasecurity:trivy:FilePath")
                    paths.Add(value);
            }
            index.Add(PackageFiles.For(package, [], paths));
        }
        foreach (var nested in c.Arr("components")) ReadCdxComponent(index, nested);
    }

    private static string? PurlType(string? purl)
    {
        if (purl is null || !purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return null;
        var slash = purl.IndexOf('/', 4);
        return slash > 4 ? purl[4..slash].ToLowerInvariant() : null;
    }

    private static string? OsType(string? family) => family?.ToLowerInvariant() switch
    {
        null => null,
        "alpine" or "wolfi" or "chainguard" => "apk",
        "debian" or "ubuntu" => "deb",
        _ => "rpm",
    };
}

/// <summary>Package databases that list files, read when an image's file system is available (e.g. extracted layers).</summary>
public static class PackageDatabases
{
    /// <summary>A dpkg <c>/var/lib/dpkg/info/&lt;package&gt;[:arch].list</c> file: one path per line, directories included.</summary>
    public static PackageFiles FromDpkgList(PackageRef package, string listContent)
    {
        var files = listContent.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l != "/.").ToList();
        return PackageFiles.For(package, files, []);
    }

    /// <summary>Alpine's <c>/lib/apk/db/installed</c>: records of "P:name", "V:version", "F:dir", "R:file", separated by blank lines.</summary>
    public static IReadOnlyList<PackageFiles> FromApkInstalled(string content)
    {
        var result = new List<PackageFiles>();
        string? name = null, version = null, dir = null;
        var files = new List<string>();
        void Flush()
        {
            if (name is not null) result.Add(PackageFiles.For(new PackageRef("apk", "alpine", name, version ?? ""), files, []));
            name = version = dir = null;
            files = [];
        }
        foreach (var raw in content.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) { Flush(); continue; }
            if (line.Length < 2 || line[1] != ':') continue;
            var value = line[2..];
            switch (line[0])
            {
                case 'P': name = value; break;
                case 'V': version = value; break;
                case 'F': dir = value; break;
                case 'R': files.Add(dir is null ? value : $"{dir}/{value}"); break;
            }
        }
        Flush();
        return result;
    }
}
