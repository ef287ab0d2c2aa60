using System;
using System.IO;

namespace Samples;

/// <summary>The --out folder, made if missing, and the files the run will write there, checked writable before any training.</summary>
internal static class OutputFolder
{
    /// <summary>Creates <paramref name="dir"/> (and its parents) when missing; returns the paths of <paramref name="names"/> in it.</summary>
    public static string[] Prepare(string dir, params string[] names)
    {
        if (File.Exists(dir)) throw new SampleException($"--out {dir}: that is a file; give a folder", SampleHost.UsageError);
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SampleException($"--out {dir}: cannot make the folder ({e.Message})", e);
        }
        var paths = new string[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            paths[i] = Path.Combine(dir, names[i]);
            OutputFile.CheckWritable(paths[i], "--out");
        }
        return paths;
    }
}
