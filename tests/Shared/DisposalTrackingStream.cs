namespace Triage.Testing;

/// <summary>A memory stream that remembers being disposed: for wrappers that must dispose what they wrap.</summary>
public sealed class DisposalTrackingStream(byte[] bytes) : MemoryStream(bytes)
{
    public bool Disposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
