using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>
/// The package a statement is about, inside its scope. A purl without version covers every version; with a version only that
/// one; with a <see cref="Range"/> every version inside it (the purl's own version is then ignored).
/// </summary>
public sealed record VexSubcomponent
{
    public VexSubcomponent(Purl package, VersRange? range = null)
    {
        Package = package;
        Range = range;
    }

    public Purl Package { get; }
    public VersRange? Range { get; }

    public bool Covers(Purl target) =>
        Range is null ? Package.Covers(target) : Package.WithVersion(null).Covers(target) && Range.Contains(target.Version);

    public bool Equals(VexSubcomponent? other) =>
        other is not null && Package.SameAs(other.Package) && string.Equals(Range?.Text, other.Range?.Text, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Package.ToString(), Range?.Text);

    public override string ToString() => Range is null ? Package.ToString() : $"{Package.WithVersion(null)} {Range}";
}
