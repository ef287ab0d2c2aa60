using System;
using System.IO;
using Dl.Checkpoints;

namespace Mnist;

/// <summary>
/// The files a run will write (<c>--save</c>, <c>--plot</c>), checked before anything is read or trained: their folder
/// exists and takes files, and none of them is a file the run reads (the checkpoint it resumes, the data) or
/// another output, which it would overwrite.
/// </summary>
internal static class OutputFiles
{
    public static void Check(Options o, string dataDir)
    {
        CheckFolder(o.Save, "--save");
        CheckFolder(o.Plot, "--plot");
        if (o.Save is { } save && o.Plot is { } plot && SameFile(save, plot))
            throw new MnistException($"--save {save} and --plot {plot} name the same file; the plot would overwrite the checkpoint: give the plot another name, or --no-plot", 2);
        if (o.Resume is { } resume && o.Plot is { } drawn && SameFile(resume, drawn))
            throw new MnistException($"--resume {resume} and --plot {drawn} name the same file; the plot would overwrite the checkpoint: give the plot another name, or --no-plot", 2);
        foreach (string input in DataFiles.Paths(dataDir))
            foreach (var (option, file) in new[] { ("--save", o.Save), ("--plot", o.Plot) })
                if (file is not null && SameFile(file, input))
                    throw new MnistException($"{option} {file} is one of the data files the run reads, which it would overwrite; give another name", 2);
        CheckWritable(o.Save, "--save");
        CheckWritable(o.Plot, "--plot");
    }

    /// <summary>Whether two paths name one file: the same full path once symbolic links are followed (case-blind where the file system is).</summary>
    public static bool SameFile(string a, string b)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(Resolved(a), Resolved(b), comparison);
    }

    /// <summary>The full path with every symbolic link along it followed (the path as given where one cannot be read).</summary>
    private static string Resolved(string path)
    {
        string full = Path.GetFullPath(path);
        string? root = Path.GetPathRoot(full);
        if (root is null) return full;
        string current = root;
        foreach (string part in full.Substring(root.Length).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            try
            {
                var info = new FileInfo(current);
                if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target) current = target.FullName;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return current;
    }

    private static void CheckFolder(string? file, string option)
    {
        if (file is null) return;
        string? folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (folder is not null && !Directory.Exists(folder))
            throw new MnistException($"{option} {file}: the folder {folder} does not exist", 2);
    }

    private static void CheckWritable(string? file, string option)
    {
        if (file is null) return;
        try { Checkpoint.EnsureWritable(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MnistException($"{option} {e.Message}", 2);
        }
    }
}
