namespace Dl.Distributed.Native;

/// <summary>
/// The two ABI families of the MPI C API on Linux. The standard fixes the function signatures but not what a
/// handle (<c>MPI_Comm</c>, <c>MPI_Datatype</c>, <c>MPI_Op</c>, <c>MPI_Request</c>) is, so a binding must know which
/// family it talks to.
/// </summary>
public enum MpiFamily
{
    /// <summary>
    /// MPICH and its ABI-compatible derivatives (Intel MPI, MVAPICH, Cray MPICH; libmpich.so.12): handles are 32-bit
    /// integers with fixed values written in mpi.h (<c>MPI_COMM_WORLD</c> = 0x44000000).
    /// </summary>
    Mpich,

    /// <summary>
    /// Open MPI (libmpi.so.40): handles are pointers to predefined objects the library exports
    /// (<c>MPI_COMM_WORLD</c> = <c>&amp;ompi_mpi_comm_world</c>), so their values are only known once it is loaded.
    /// </summary>
    OpenMpi,
}
