using Triage.Testing;

namespace Triage.Sigstore.Tests.Support;

/// <summary>
/// A fact that needs Node and npm (the sigstore-js oracle): skipped on a machine without them, but run — and failing —
/// in CI, where the interop check must not silently disappear.
/// </summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!SigstoreJsOracle.NodeAvailable && !TestPaths.InCi) Skip = "node and npm are not on PATH";
    }
}
