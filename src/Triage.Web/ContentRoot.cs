namespace Triage.Web;

/// <summary>Finds the content root: the publish folder when it holds wwwroot/, otherwise the repository root
/// (the folder with Triage.sln), so the root appsettings.json is read live in development and tests.</summary>
internal static class ContentRoot
{
    public static string Find()
    {
        var baseDir = AppContext.BaseDirectory;
        if (Directory.Exists(Path.Combine(baseDir, "wwwroot"))) return baseDir;
        for (var d = new DirectoryInfo(baseDir); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Triage.sln"))) return d.FullName;
        return baseDir;
    }
}
