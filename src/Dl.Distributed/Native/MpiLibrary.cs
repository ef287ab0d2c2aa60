using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Dl.Distributed.Native;

/// <summary>
/// Finds, loads and identifies the machine's MPI library. Which file: <c>DL_MPI_LIBRARY</c> when set (a name or a
/// path); else the one that matches the launcher that started this process (Open MPI's mpirun sets
/// <c>OMPI_COMM_WORLD_SIZE</c>, MPICH's Hydra sets <c>PMI_SIZE</c>); else MPICH's, then Open MPI's. Which ABI family:
/// read from the loaded library itself (Open MPI exports <c>ompi_mpi_comm_world</c>, MPICH does not), so a
/// <c>DL_MPI_LIBRARY</c> pointing at either works.
/// </summary>
internal static class MpiLibrary
{
    public const string OverrideVariable = "DL_MPI_LIBRARY";
    public const string MpichName = "libmpich.so.12";
    public const string OpenMpiName = "libmpi.so.40";

    /// <summary>Loads the library; throws <see cref="MpiException"/> naming every file tried when none loads.</summary>
    public static (nint Handle, string Name, MpiFamily Family) Load() => Load(Candidates());

    /// <summary>Loads the first of <paramref name="candidates"/> that loads.</summary>
    public static (nint Handle, string Name, MpiFamily Family) Load(IEnumerable<string> candidates)
    {
        var tried = new List<string>();
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                var family = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _) ? MpiFamily.OpenMpi : MpiFamily.Mpich;
                return (handle, name, family);
            }
            tried.Add(name);
        }
        throw new MpiException(
            $"no MPI library could be loaded (tried {string.Join(", ", tried)}): install MPICH (apt-get install mpich) or Open MPI " +
            $"(apt-get install openmpi-bin), or set {OverrideVariable} to the library's path");
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } chosen)
        {
            yield return chosen;
            yield break;
        }
        bool openMpiLauncher = Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;
        yield return openMpiLauncher ? OpenMpiName : MpichName;
        yield return openMpiLauncher ? MpichName : OpenMpiName;
        // Unversioned names last: a development package's symlink, which may point at either family.
        yield return "libmpi.so";
        yield return "libmpich.so";
    }
}
