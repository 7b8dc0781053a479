using System.Security.Cryptography;

namespace Triage.Sigstore.Tests.Support;

/// <summary>
/// RFC 6962 §2.1 written straight from the recursive definitions (MTH and PATH), independent of the library's
/// iterative verifier, so the two can check each other.
/// </summary>
public static class ReferenceMerkleTree
{
    public static byte[] Leaf(byte[] data) => SHA256.HashData([0x00, .. data]);

    public static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>MTH(D[n]) over leaf hashes.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes)
    {
        if (leafHashes.Count == 0) return SHA256.HashData([]);
        if (leafHashes.Count == 1) return leafHashes[0];
        var k = LargestPowerOfTwoBelow(leafHashes.Count);
        return Node(Root(leafHashes.Take(k).ToList()), Root(leafHashes.Skip(k).ToList()));
    }

    /// <summary>PATH(m, D[n]): the audit path of leaf m, leaf to root.</summary>
    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> leafHashes)
    {
        if (leafHashes.Count <= 1) return [];
        var k = LargestPowerOfTwoBelow(leafHashes.Count);
        var left = leafHashes.Take(k).ToList();
        var right = leafHashes.Skip(k).ToList();
        return m < k ? [.. Path(m, left), Root(right)] : [.. Path(m - k, right), Root(left)];
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }
}
