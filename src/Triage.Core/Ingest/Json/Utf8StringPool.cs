using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Triage.Core.Ingest.Json;

/// <summary>
/// Interns short strings straight from their UTF-8 bytes: a report repeats package names, versions, purls, layer
/// digests and source names thousands of times, and each repeat then costs a hash and a compare instead of a new
/// string. A direct-mapped cache, not a table: fixed size, no chains, no growth; a value that is unique evicts one
/// slot and costs what a plain allocation costs (measured: a chained table that grew with unique values spent more
/// time in cache misses than it saved). One pool per parse; not thread-safe.
/// </summary>
internal sealed class Utf8StringPool
{
    /// <summary>Longer values (descriptions, titles) are rarely repeated: not worth hashing.</summary>
    public const int MaxPooledLength = 160;
    private const int Slots = 1 << 15;

    // One entry per slot with its hash beside the references: a lookup touches one cache line, plus the key bytes
    // only when the hash already matches.
    private readonly Entry[] _entries = new Entry[Slots];

    private struct Entry
    {
        public int Hash;
        public byte[]? Key;
        public string Value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0) return string.Empty;
        if (utf8.Length > MaxPooledLength) return JsonStreamReader.StrictUtf8.GetString(utf8);
        var hash = Hash(utf8);
        ref var e = ref _entries[hash & (Slots - 1)];
        if (e.Hash == hash && e.Key is { } key && utf8.SequenceEqual(key)) return e.Value;
        var value = JsonStreamReader.StrictUtf8.GetString(utf8);
        e.Hash = hash;
        e.Key = utf8.ToArray();
        e.Value = value;
        return value;
    }

    /// <summary>A multiply-rotate hash over 8-byte words (FxHash style): quality enough for a cache, several times
    /// cheaper than HashCode.AddBytes. Hash flooding cannot hurt a cache: the worst case is a miss.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> s)
    {
        const ulong K = 0x517CC1B727220A95;
        var h = (ulong)s.Length * 0x9E3779B97F4A7C15;
        while (s.Length >= 8)
        {
            h = (BitOperations.RotateLeft(h, 5) ^ BinaryPrimitives.ReadUInt64LittleEndian(s)) * K;
            s = s[8..];
        }
        if (s.Length >= 4)
        {
            h = (BitOperations.RotateLeft(h, 5) ^ BinaryPrimitives.ReadUInt32LittleEndian(s)) * K;
            s = s[4..];
        }
        foreach (var b in s) h = (BitOperations.RotateLeft(h, 5) ^ b) * K;
        return (int)(h ^ (h >> 29));
    }
}
