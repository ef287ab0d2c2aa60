using System;
using System.IO;

namespace Samples;

/// <summary>Checks that an output file can be written before any work is spent on what goes into it.</summary>
internal static class OutputFile
{
    /// <summary>
    /// Throws a <see cref="SampleException"/> naming <paramref name="option"/> and <paramref name="path"/> when the file
    /// cannot be created or replaced: a folder in its place, a missing or read-only folder, a read-only file. The
    /// folder is tried with a real (deleted-on-close) file, so permissions and read-only mounts are found too.
    /// </summary>
    public static void CheckWritable(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new SampleException($"{option} {path}: that is a folder; give a file name", SampleHost.UsageError);
        string folder = Path.GetDirectoryName(full) ?? full;
        if (File.Exists(folder)) throw new SampleException($"{option} {path}: {folder} is a file, not a folder", SampleHost.UsageError);
        if (!Directory.Exists(folder)) throw new SampleException($"{option} {path}: the folder {folder} does not exist", SampleHost.UsageError);
        string probe = Path.Combine(folder, "." + Path.GetFileName(full) + ".write-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            if (File.Exists(full) && (File.GetAttributes(full) & FileAttributes.ReadOnly) != 0)
                throw new SampleException($"{option} {path}: the file is read-only");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SampleException($"{option} {path}: cannot write in {folder} ({e.Message})", e);
        }
    }
}
