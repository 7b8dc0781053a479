namespace Triage.Core.Identity;

/// <summary>
/// Maps a Go package import path to its module path. Snyk reports package paths (golang.org/x/net/html) where Trivy and
/// Grype report modules (golang.org/x/net); a finding belongs to the module. Hosts with a fixed repository depth are
/// known; elsewhere the path is kept as is (the import pipeline also resolves against modules seen in the same image).
/// </summary>
public static class GoModules
{
    public static string ModuleOf(string path)
    {
        if (path is "stdlib" or "toolchain") return path;
        var parts = path.Split('/');
        var depth = parts[0] switch
        {
            "github.com" or "gitlab.com" or "bitbucket.org" or "gitee.com" or "codeberg.org" => 3,
            "golang.org" when parts.Length > 1 && parts[1] == "x" => 3,
            "k8s.io" or "sigs.k8s.io" or "go.uber.org" or "go.etcd.io" or "gopkg.in" or "go.mongodb.org" or "honnef.co" or "go.opencensus.io" or "gorm.io" or "dario.cat" => 2,
            "google.golang.org" => 2,
            _ => 0,
        };
        if (depth == 0 || parts.Length <= depth) return path;
        var module = string.Join('/', parts.Take(depth));
        // A major-version suffix (/v2, /v3…) right after the repository belongs to the module.
        if (parts.Length > depth && IsMajorSuffix(parts[depth])) module += "/" + parts[depth];
        return module;
    }

    private static bool IsMajorSuffix(string segment) =>
        segment.Length >= 2 && segment[0] == 'v' && segment.Skip(1).All(char.IsAsciiDigit);
}
