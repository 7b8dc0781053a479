using System.Globalization;
using System.Text;
using Triage.Sigstore.Json;

namespace Triage.Sigstore.Transparency;

/// <summary>One signature line of a signed note: <c>— name base64(keyHint[4] ‖ signature)</c>.</summary>
public sealed record NoteSignature(string Name, byte[] KeyHint, byte[] Signature);

/// <summary>
/// A transparency-log checkpoint in C2SP signed-note form: origin, tree size and root hash, then a blank line and
/// one or more signature lines (the log's, and maybe witnesses').
/// </summary>
public sealed record Checkpoint
{
    public required string Origin { get; init; }
    public required long TreeSize { get; init; }
    public required byte[] RootHash { get; init; }

    /// <summary>Lines after the root hash (Rekor v1 writes <c>Timestamp: …</c>).</summary>
    public required IReadOnlyList<string> ExtraLines { get; init; }

    /// <summary>The signed bytes: the note text up to and including the newline before the blank line.</summary>
    public required byte[] SignedText { get; init; }

    public required IReadOnlyList<NoteSignature> Signatures { get; init; }

    /// <summary>Parses a signed note; null with a reason when it is not a well-formed checkpoint.</summary>
    public static Checkpoint? TryParse(string note, out string? problem)
    {
        problem = null;
        var split = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            problem = "no blank line between the checkpoint body and its signatures";
            return null;
        }
        var body = note[..(split + 1)];
        var lines = body[..^1].Split('\n');
        if (lines.Length < 3 || lines[0].Length == 0)
        {
            problem = "a checkpoint needs an origin, a tree size and a root hash";
            return null;
        }
        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            problem = $"tree size '{lines[1]}' is not a number";
            return null;
        }
        if (!Base64Lenient.TryDecode(lines[2], out var root) || root.Length != 32)
        {
            problem = "root hash is not 32 bytes of base64";
            return null;
        }

        var signatures = new List<NoteSignature>();
        foreach (var line in note[(split + 2)..].Split('\n'))
        {
            if (line.Length == 0) continue;
            // "— " is U+2014 EM DASH and a space; the name and the base64 blob follow, separated by a space.
            if (!line.StartsWith("\u2014 ", StringComparison.Ordinal))
            {
                problem = "a signature line does not start with an em dash";
                return null;
            }
            var parts = line[2..].Split(' ');
            if (parts.Length != 2 || !Base64Lenient.TryDecode(parts[1], out var blob) || blob.Length < 5)
            {
                problem = "malformed signature line";
                return null;
            }
            signatures.Add(new NoteSignature(parts[0], blob[..4], blob[4..]));
        }
        if (signatures.Count == 0)
        {
            problem = "the checkpoint has no signature";
            return null;
        }

        return new Checkpoint
        {
            Origin = lines[0],
            TreeSize = size,
            RootHash = root,
            ExtraLines = lines[3..],
            SignedText = Encoding.UTF8.GetBytes(body),
            Signatures = signatures,
        };
    }
}
