namespace Triage.Core.Vex;

/// <summary>
/// Where a decision applies. A more specific scope wins over a less specific one (Digest &gt; Repository &gt; Team &gt; Global),
/// whatever their timestamps: a team-wide "not affected" must not hide an image-specific "affected" recorded earlier.
/// See docs/decisions/021-vex-decision-model.md.
/// </summary>
public abstract record VexScope
{
    private VexScope() { }

    /// <summary>Higher is more specific.</summary>
    public abstract int Specificity { get; }

    /// <summary>Short human text for lists and reasons.</summary>
    public abstract string Describe();

    /// <summary>One image: repository and manifest digest. Both must match; a mirror in another repository needs its own
    /// decision or a wider scope, so a decision never travels to an image nobody looked at.</summary>
    public sealed record Digest : VexScope
    {
        public Digest(string repository, string digest)
        {
            if (string.IsNullOrWhiteSpace(repository)) throw new ArgumentException("A digest scope needs a repository.", nameof(repository));
            if (!VexImageNames.TryNormalizeDigest(digest, out var d))
                throw new ArgumentException($"'{digest}' is not a sha256 digest (sha256:<64 hex>).", nameof(digest));
            RepositoryName = VexImageNames.NormalizeRepository(repository);
            Sha256 = d;
        }

        /// <summary>Normalised "registry/path".</summary>
        public string RepositoryName { get; }
        /// <summary>"sha256:&lt;64 hex&gt;".</summary>
        public string Sha256 { get; }
        public override int Specificity => 3;
        public override string Describe() => $"image {RepositoryName}@{Sha256}";
    }

    /// <summary>Every digest of one repository.</summary>
    public sealed record Repository : VexScope
    {
        public Repository(string name)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A repository scope needs a name.", nameof(name));
            Name = VexImageNames.NormalizeRepository(name);
        }

        public string Name { get; }
        public override int Specificity => 2;
        public override string Describe() => $"repository {Name}";
    }

    /// <summary>Every image a team owns.</summary>
    public sealed record Team : VexScope
    {
        public Team(string id)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("A team scope needs a team name or id.", nameof(id));
            Id = id.Trim();
        }

        public string Id { get; }
        public override int Specificity => 1;
        public override string Describe() => $"team {Id}";
    }

    /// <summary>Everywhere.</summary>
    public sealed record Global : VexScope
    {
        public static Global Instance { get; } = new();
        public override int Specificity => 0;
        public override string Describe() => "everywhere";
    }

    /// <summary>True when a finding in this place falls under the scope.</summary>
    public bool Applies(VexFinding finding) => this switch
    {
        Digest d => finding.Digest is not null && finding.Repository is not null
                    && string.Equals(d.Sha256, finding.Digest, StringComparison.Ordinal)
                    && string.Equals(d.RepositoryName, finding.Repository, StringComparison.Ordinal),
        Repository r => finding.Repository is not null && string.Equals(r.Name, finding.Repository, StringComparison.Ordinal),
        Team t => finding.Teams.Contains(t.Id, StringComparer.OrdinalIgnoreCase),
        Global => true,
        _ => false,
    };
}
