using Microsoft.EntityFrameworkCore;
using Triage.Core.Vex;
using Triage.Data.Queries;

namespace Triage.Data.Vex;

/// <summary>
/// A stored document's issue messages are written by whoever imported it, and an admin's import matches every team's
/// images: "Vulnerability … is not among the findings of acme/payments@sha256:…" tells a reader that Triage holds that
/// digest and what it lacks. For a reader who is not an admin, an issue whose message names an image repository of a
/// team they are not in says only that (code <c>not_your_image</c>, as a team member's own import does, ADR 107); the
/// product and the statement stay, because they come from the document itself.
/// </summary>
internal static class VexIssueVisibility
{
    public const string HiddenMessage =
        "This statement names an image of a team you are not in: what it found there is shown to that team and to admins.";

    public static async Task<IReadOnlyList<VexIssueView>> ForAsync(TriageDbContext db, IReadOnlyList<VexIssueView> issues, ImageVisibility? viewer,
        CancellationToken ct)
    {
        if (viewer is null || issues.Count == 0) return issues;
        var teams = viewer.TeamIds.ToList();
        var names = await db.Repositories.AsNoTracking()
            .Where(r => r.TeamId != null && !teams.Contains(r.TeamId.Value)).Select(r => r.Name).ToListAsync(ct);
        if (names.Count == 0) return issues;
        var hidden = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in names)
        {
            hidden.Add(n);
            hidden.Add(VexImageNames.NormalizeRepository(n));
        }
        return issues.Select(i => NamesAny(i.Message, hidden) ? i with { Code = "not_your_image", Message = HiddenMessage } : i).ToList();
    }

    /// <summary>Whether a message names one of <paramref name="repositories"/>: as a word of its own, or as the part
    /// before '@' of an image reference ("repo@sha256:…", lists joined by ", ", sentences ending with '.').</summary>
    internal static bool NamesAny(string message, IReadOnlySet<string> repositories)
    {
        foreach (var word in message.Split([' ', ',', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var w = word.TrimEnd('.', ';', ':', ')').TrimStart('(', '\'', '"').TrimEnd('\'', '"');
            var at = w.IndexOf('@', StringComparison.Ordinal);
            if (at > 0) w = w[..at];
            if (w.Length > 0 && repositories.Contains(w)) return true;
        }
        return false;
    }
}
