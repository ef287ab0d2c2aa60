using System;
using System.IO;

namespace Dl.Checkpoints;

/// <summary>Replaces a file all at once: readers, and a crash at any moment, see the old file or the new one, never a mix.</summary>
/// <remarks>
/// Failures are reported against the path the caller gave: the temporary file is an implementation detail the
/// user never named, so its name never appears in a message.
/// </remarks>
internal static class AtomicFile
{
    private const string TemporaryMark = ".tmp-";
    private const int SuffixDigits = 16;

    /// <summary>
    /// Removes what killed writers left beside <paramref name="path"/>, calls <paramref name="write"/> on a fresh
    /// temporary file there, forces it to disk, then renames it over <paramref name="path"/>.
    /// </summary>
    /// <remarks>
    /// The temporary file is in the same folder so the rename stays on one file system, where it is atomic.
    /// The flush to disk comes before the rename so a power cut cannot leave the new name pointing at
    /// unwritten blocks. A random suffix keeps two writers from sharing a temporary file; one killed
    /// mid-write leaves only its own <c>.tmp-</c> file behind, and the previous checkpoint intact, and the
    /// next save removes it. A writer holds its temporary file locked (<see cref="FileShare.None"/>), which
    /// is how the cleanup tells a live writer's file, left alone, from a dead one's.
    /// </remarks>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"{path}: cannot write there: it is a folder");
        RemoveStaleTemporaries(full);
        string temporary = NewTemporaryName(full);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw Rephrase(e, path, full, temporary);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Throws what <see cref="Write"/> would throw for want of a place to write: the folder missing, not writable,
    /// or <paramref name="path"/> a folder. Proves it by creating and deleting a temporary file there, as a save does.
    /// </summary>
    public static void EnsureWritable(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"{path}: cannot write there: it is a folder");
        string? folder = Path.GetDirectoryName(full);
        if (folder != null && !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{path}: cannot write there: the folder {folder} does not exist");
        string probe = NewTemporaryName(full);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(probe);
            throw Rephrase(e, path, full, probe);
        }
    }

    /// <summary>
    /// Deletes temporary files of <paramref name="full"/> (its name, <c>.tmp-</c>, 16 hex digits) that no writer
    /// holds open. Best effort: a file that cannot be opened or deleted is left for the next save.
    /// </summary>
    private static void RemoveStaleTemporaries(string full)
    {
        string? folder = Path.GetDirectoryName(full);
        if (folder == null) return;
        string prefix = Path.GetFileName(full) + TemporaryMark;
        string[] candidates;
        try { candidates = Directory.GetFiles(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string file in candidates)
        {
            if (!IsTemporaryOf(Path.GetFileName(file), prefix)) continue;
            try
            {
                // The lock a live writer holds makes this open fail; a dead writer's lock died with it.
                using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static bool IsTemporaryOf(string name, string prefix)
    {
        if (name.Length != prefix.Length + SuffixDigits || !name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        foreach (char c in name.AsSpan(prefix.Length))
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        return true;
    }

    private static string NewTemporaryName(string full) =>
        full + TemporaryMark + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, SuffixDigits / 2);

    /// <summary>The failure in the user's terms: their path first, never the temporary file's name.</summary>
    private static Exception Rephrase(Exception e, string path, string full, string temporary)
    {
        string folder = Path.GetDirectoryName(full) ?? full;
        string reason = e switch
        {
            UnauthorizedAccessException => $"permission denied in {folder}",
            DirectoryNotFoundException => $"the folder {folder} does not exist or cannot hold files",
            // Creating a file reports "not found" where the file system takes no new files (/proc, /sys).
            FileNotFoundException => $"the folder {folder} takes no new files",
            _ => e.Message.Replace(temporary, full, StringComparison.Ordinal),
        };
        string message = $"{path}: cannot write there: {reason}";
        return e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
    }

    private static void TryDelete(string file)
    {
        // Cleanup is best effort: the original failure is the one worth reporting.
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
