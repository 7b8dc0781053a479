using Microsoft.AspNetCore.Components.Forms;
using Triage.Core.Ingest;

namespace Triage.Web.Components.Shared;

/// <summary>Where one uploaded file stands.</summary>
public enum UploadState
{
    Waiting,
    Running,
    Done,
    Duplicate,
    Failed,
}

/// <summary>One file dropped on an upload page and what became of it; pages add their own summary.</summary>
public class UploadItem(string fileName, long size)
{
    public string FileName { get; } = fileName;
    public long Size { get; } = size;
    public long BytesRead { get; set; }
    public UploadState State { get; set; } = UploadState.Waiting;
    public string? Error { get; set; }

    public double Percent => Size <= 0 ? 0 : Math.Min(100, 100.0 * BytesRead / Size);
}

/// <summary>
/// Runs the files of one drop one after another (the database takes one import at a time), each with its own progress
/// and result, the way every upload page does: redraws at most every 2% of a file, and turns a failure into a sentence
/// on its item (logged when it is not the file's own fault).
/// </summary>
public static class FileUploadRunner
{
    /// <param name="upload">Uploads one file, reporting bytes read; returns true when the same content was there before.</param>
    /// <param name="redraw">Re-renders the page (from any thread).</param>
    public static async Task RunAsync<TItem>(IReadOnlyList<IBrowserFile> files, IReadOnlyList<TItem> items,
        Func<IBrowserFile, TItem, IProgress<long>, Task<bool>> upload, Func<Task> redraw, ILogger log, CancellationToken ct)
        where TItem : UploadItem
    {
        for (var i = 0; i < files.Count; i++)
        {
            var item = items[i];
            item.State = UploadState.Running;
            await redraw();
            var lastShown = 0L;
            var progress = new Progress<long>(read =>
            {
                item.BytesRead = read;
                // Redraw at most every 2% so a large file does not flood the circuit.
                if (item.Size > 0 && (read - lastShown) * 50 < item.Size) return;
                lastShown = read;
                _ = redraw();
            });
            try
            {
                item.State = await upload(files[i], item, progress) ? UploadState.Duplicate : UploadState.Done;
            }
            catch (ReportFormatException ex)
            {
                item.State = UploadState.Failed;
                item.Error = ex.Describe();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                           or Microsoft.JSInterop.JSException or System.Data.Common.DbException
                                           or Microsoft.EntityFrameworkCore.DbUpdateException
                                           || ex is OperationCanceledException && !ct.IsCancellationRequested)
            {
                log.LogWarning(ex, "Upload of {File} failed", item.FileName);
                item.State = UploadState.Failed;
                item.Error = ex is IOException or Microsoft.JSInterop.JSException
                    ? "the browser stopped sending the file (was the page closed or the file changed?)"
                    : ErrorText.Describe(ex);
            }
            await redraw();
        }
    }

    /// <summary>The browser file as a stream that reports bytes read, refusing files over <paramref name="maxBytes"/> before reading.</summary>
    public static Stream Open(IBrowserFile file, long maxBytes, IProgress<long>? progress, string what, CancellationToken ct)
    {
        if (file.Size > maxBytes)
            throw new ReportFormatException(ReportErrorCode.TooLarge, $"the {what} is larger than the limit of {CaptureStream.FormatBytes(maxBytes)}");
        // +1: let the reader see an over-long stream and refuse it itself.
        return new ProgressStream(file.OpenReadStream(maxBytes + 1, ct), progress);
    }
}

/// <summary>Reports how many bytes have been read (for the per-file progress bar).</summary>
internal sealed class ProgressStream(Stream inner, IProgress<long>? progress) : CountingReadStream(inner, ownsInner: true)
{
    public override long Length => Inner.Length;

    protected override void OnRead(long total) => progress?.Report(total);
}
