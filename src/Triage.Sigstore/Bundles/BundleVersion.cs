namespace Triage.Sigstore.Bundles;

/// <summary>The Sigstore bundle format versions this library reads (v0.3 is the one it writes).</summary>
public enum BundleVersion
{
    /// <summary>v0.1: an inclusion promise (SET) is required; the inclusion proof is optional.</summary>
    V0_1,

    /// <summary>v0.2: an inclusion proof with a signed checkpoint is required.</summary>
    V0_2,

    /// <summary>v0.3: as v0.2, and keyless bundles carry the leaf alone in <c>certificate</c>.</summary>
    V0_3,
}

/// <summary>The media-type strings of each bundle version (protobuf-specs <c>sigstore_bundle.proto</c>).</summary>
public static class BundleMediaTypes
{
    public const string V0_1 = "application/vnd.dev.sigstore.bundle+json;version=0.1";
    public const string V0_2 = "application/vnd.dev.sigstore.bundle+json;version=0.2";

    /// <summary>The current v0.3 spelling, and the one we write.</summary>
    public const string V0_3 = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /// <summary>The older spelling of v0.3 that some clients still write.</summary>
    public const string V0_3Legacy = "application/vnd.dev.sigstore.bundle+json;version=0.3";

    /// <summary>The version a media type names, or null for anything else (unknown versions are rejected, not guessed).</summary>
    public static BundleVersion? TryGetVersion(string mediaType) => mediaType switch
    {
        V0_1 => BundleVersion.V0_1,
        V0_2 => BundleVersion.V0_2,
        V0_3 or V0_3Legacy => BundleVersion.V0_3,
        _ => null,
    };

    public static string For(BundleVersion version) => version switch
    {
        BundleVersion.V0_1 => V0_1,
        BundleVersion.V0_2 => V0_2,
        BundleVersion.V0_3 => V0_3,
    };
}
