using System.Text;
using Triage.Sigstore.Tests.Support;
using Triage.Sigstore.Transparency;

namespace Triage.Sigstore.Tests.Transparency;

/// <summary>The library's RFC 9162 inclusion verifier agrees with the recursive RFC 6962 definitions.</summary>
public sealed class MerkleTreeTests
{
    private static List<byte[]> Leaves(int n) =>
        Enumerable.Range(0, n).Select(i => ReferenceMerkleTree.Leaf(Encoding.UTF8.GetBytes($"leaf {i}"))).ToList();

    [Fact]
    public void VerifyInclusion_EveryLeafOfTreesUpTo33_Verifies()
    {
        for (var size = 1; size <= 33; size++)
        {
            var leaves = Leaves(size);
            var root = ReferenceMerkleTree.Root(leaves);
            for (var index = 0; index < size; index++)
                Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[index], ReferenceMerkleTree.Path(index, leaves), root), $"leaf {index} of {size}");
        }
    }

    [Fact]
    public void VerifyInclusion_AnyFlippedBit_Fails()
    {
        var leaves = Leaves(13);
        var root = ReferenceMerkleTree.Root(leaves);
        var path = ReferenceMerkleTree.Path(6, leaves);
        for (var i = 0; i < path.Count; i++)
        {
            var tampered = path.Select(h => h.ToArray()).ToList();
            tampered[i][0] ^= 1;
            Assert.False(MerkleTree.VerifyInclusion(6, 13, leaves[6], tampered, root));
        }
    }

    [Theory]
    [InlineData(5, 13)] // proof of another leaf
    [InlineData(6, 8)] // a tree size whose path has another shape
    [InlineData(13, 13)] // index out of range
    [InlineData(-1, 13)]
    public void VerifyInclusion_WrongPosition_Fails(long index, long size)
    {
        var leaves = Leaves(13);
        Assert.False(MerkleTree.VerifyInclusion(index, size, leaves[6], ReferenceMerkleTree.Path(6, leaves), ReferenceMerkleTree.Root(leaves)));
    }

    [Fact]
    public void VerifyInclusion_ExtraOrMissingProofHash_Fails()
    {
        var leaves = Leaves(9);
        var root = ReferenceMerkleTree.Root(leaves);
        var path = ReferenceMerkleTree.Path(3, leaves);
        Assert.False(MerkleTree.VerifyInclusion(3, 9, leaves[3], path.Take(path.Count - 1).ToList(), root));
        Assert.False(MerkleTree.VerifyInclusion(3, 9, leaves[3], [.. path, path[0]], root));
    }

    [Fact]
    public void LeafAndNodeHash_AreDomainSeparated()
    {
        var data = Encoding.UTF8.GetBytes("x");
        Assert.Equal(ReferenceMerkleTree.Leaf(data), MerkleTree.LeafHash(data));
        Assert.Equal(ReferenceMerkleTree.Node(data, data), MerkleTree.NodeHash(data, data));
        Assert.NotEqual(MerkleTree.LeafHash(data), MerkleTree.NodeHash([], data));
    }
}
