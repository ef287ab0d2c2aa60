using System;
using System.IO;

namespace Dl.Checkpoints;

/// <summary>Replaces a file all at once: readers, and a crash at any moment, see the old file or the new one, never a mix.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> on a fresh temporary file beside <paramref name="path"/>, forces it to
    /// disk, then renames it over <paramref name="path"/>.
    /// </summary>
    /// <remarks>
    /// The temporary file is in the same folder so the rename stays on one file system, where it is atomic.
    /// The flush to disk comes before the rename so a power cut cannot leave the new name pointing at
    /// unwritten blocks. A random suffix keeps two writers from sharing a temporary file; one killed
    /// mid-write leaves only its own <c>.tmp-</c> file behind, and the previous checkpoint intact.
    /// </remarks>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 8);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        // Cleanup is best effort: the original failure is the one worth reporting.
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
