using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Dl.Distributed.Native;

/// <summary>
/// The dozen MPI C functions this package calls, as unmanaged function pointers read from the loaded library, and
/// the predefined handles they take. MPICH's handles are <c>int</c> and Open MPI's are pointers, so every call with
/// a handle has one typed branch per family (no reliance on how an ABI passes a narrower argument). Buffers are
/// plain pointers: callers pin them. Return values are MPI error codes (0 is <c>MPI_SUCCESS</c>); with the
/// communicator's error handler set to <c>MPI_ERRORS_RETURN</c> (see <see cref="MpiSession"/>) a failure returns
/// here instead of ending the process inside the library.
/// </summary>
internal sealed unsafe class MpiApi
{
    public const int Success = 0;
    public const int ThreadFunneled = 1;
    private const int ErrorStringCapacity = 512; // MPI_MAX_ERROR_STRING: MPICH 512, Open MPI 256
    // MPI_Status: MPICH 20 bytes, Open MPI 24. A larger scratch of our own serves both (MPI_STATUS_IGNORE differs too).
    private const int StatusBytes = 64;

    private readonly nint _initThread, _initialized, _finalized, _finalize, _commRank, _commSize, _commSetErrhandler,
        _allreduce, _iallreduce, _ibcast, _ibarrier, _test, _wait, _abort, _errorString;

    public MpiApi(nint library, string name, MpiFamily family)
    {
        Name = name;
        Family = family;
        nint Function(string symbol) => NativeLibrary.TryGetExport(library, symbol, out var p)
            ? p
            : throw new MpiException($"{name} does not export {symbol}; it is not an MPI-3 library");
        _initThread = Function("MPI_Init_thread");
        _initialized = Function("MPI_Initialized");
        _finalized = Function("MPI_Finalized");
        _finalize = Function("MPI_Finalize");
        _commRank = Function("MPI_Comm_rank");
        _commSize = Function("MPI_Comm_size");
        _commSetErrhandler = Function("MPI_Comm_set_errhandler");
        _allreduce = Function("MPI_Allreduce");
        _iallreduce = Function("MPI_Iallreduce");
        _ibcast = Function("MPI_Ibcast");
        _ibarrier = Function("MPI_Ibarrier");
        _test = Function("MPI_Test");
        _wait = Function("MPI_Wait");
        _abort = Function("MPI_Abort");
        _errorString = Function("MPI_Error_string");
        if (family == MpiFamily.Mpich)
        {
            // MPICH's mpi.h: fixed 32-bit handle values.
            CommWorld = 0x44000000;
            Float = 0x4c00040a;
            Sum = 0x58000003;
            ErrorsReturn = 0x54000001;
            InPlace = -1;
        }
        else
        {
            // Open MPI's mpi.h: each predefined handle is the address of an object the library exports.
            nint Object(string symbol) => NativeLibrary.TryGetExport(library, symbol, out var p)
                ? p
                : throw new MpiException($"{name} does not export {symbol}; it is not the Open MPI it looks like");
            CommWorld = Object("ompi_mpi_comm_world");
            Float = Object("ompi_mpi_float");
            Sum = Object("ompi_mpi_op_sum");
            ErrorsReturn = Object("ompi_mpi_errors_return");
            InPlace = 1;
        }
    }

    /// <summary>The library file that was loaded.</summary>
    public string Name { get; }

    public MpiFamily Family { get; }

    public nint CommWorld { get; }
    public nint Float { get; }
    public nint Sum { get; }
    public nint ErrorsReturn { get; }

    /// <summary>MPI_IN_PLACE (MPICH (void*)-1, Open MPI (void*)1).</summary>
    public nint InPlace { get; }

    private bool Ints => Family == MpiFamily.Mpich;

    public int InitThread(int required, out int provided)
    {
        int p = 0;
        int rc = ((delegate* unmanaged<int*, byte***, int, int*, int>)_initThread)(null, null, required, &p);
        provided = p;
        return rc;
    }

    public bool Initialized()
    {
        int flag = 0;
        ((delegate* unmanaged<int*, int>)_initialized)(&flag);
        return flag != 0;
    }

    public bool Finalized()
    {
        int flag = 0;
        ((delegate* unmanaged<int*, int>)_finalized)(&flag);
        return flag != 0;
    }

    public int Finalize() => ((delegate* unmanaged<int>)_finalize)();

    public int CommRank(out int rank)
    {
        int r = 0;
        int rc = Ints ? ((delegate* unmanaged<int, int*, int>)_commRank)((int)CommWorld, &r)
                      : ((delegate* unmanaged<nint, int*, int>)_commRank)(CommWorld, &r);
        rank = r;
        return rc;
    }

    public int CommSize(out int size)
    {
        int s = 0;
        int rc = Ints ? ((delegate* unmanaged<int, int*, int>)_commSize)((int)CommWorld, &s)
                      : ((delegate* unmanaged<nint, int*, int>)_commSize)(CommWorld, &s);
        size = s;
        return rc;
    }

    /// <summary>MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN).</summary>
    public int ReturnErrors() => Ints
        ? ((delegate* unmanaged<int, int, int>)_commSetErrhandler)((int)CommWorld, (int)ErrorsReturn)
        : ((delegate* unmanaged<nint, nint, int>)_commSetErrhandler)(CommWorld, ErrorsReturn);

    /// <summary>MPI_Allreduce(send, receive, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD): blocks inside the library.</summary>
    public int Allreduce(void* send, void* receive, int count) => Ints
        ? ((delegate* unmanaged<void*, void*, int, int, int, int, int>)_allreduce)(send, receive, count, (int)Float, (int)Sum, (int)CommWorld)
        : ((delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)_allreduce)(send, receive, count, Float, Sum, CommWorld);

    /// <summary>MPI_Iallreduce of floats with MPI_SUM over MPI_COMM_WORLD; the request handle goes to <paramref name="request"/>.</summary>
    public int Iallreduce(void* send, void* receive, int count, out nint request)
    {
        int rc;
        if (Ints)
        {
            int r = 0;
            rc = ((delegate* unmanaged<void*, void*, int, int, int, int, int*, int>)_iallreduce)(send, receive, count, (int)Float, (int)Sum, (int)CommWorld, &r);
            request = r;
        }
        else
        {
            nint r = 0;
            rc = ((delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)_iallreduce)(send, receive, count, Float, Sum, CommWorld, &r);
            request = r;
        }
        return rc;
    }

    /// <summary>MPI_Ibcast of floats from <paramref name="root"/> over MPI_COMM_WORLD.</summary>
    public int Ibcast(void* buffer, int count, int root, out nint request)
    {
        int rc;
        if (Ints)
        {
            int r = 0;
            rc = ((delegate* unmanaged<void*, int, int, int, int, int*, int>)_ibcast)(buffer, count, (int)Float, root, (int)CommWorld, &r);
            request = r;
        }
        else
        {
            nint r = 0;
            rc = ((delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)_ibcast)(buffer, count, Float, root, CommWorld, &r);
            request = r;
        }
        return rc;
    }

    /// <summary>MPI_Ibarrier over MPI_COMM_WORLD.</summary>
    public int Ibarrier(out nint request)
    {
        int rc;
        if (Ints)
        {
            int r = 0;
            rc = ((delegate* unmanaged<int, int*, int>)_ibarrier)((int)CommWorld, &r);
            request = r;
        }
        else
        {
            nint r = 0;
            rc = ((delegate* unmanaged<nint, nint*, int>)_ibarrier)(CommWorld, &r);
            request = r;
        }
        return rc;
    }

    /// <summary>MPI_Test: whether the request is complete (then the library frees it and writes MPI_REQUEST_NULL back).</summary>
    public int Test(ref nint request, out bool done)
    {
        byte* status = stackalloc byte[StatusBytes];
        int flag = 0, rc;
        if (Ints)
        {
            int r = (int)request;
            rc = ((delegate* unmanaged<int*, int*, byte*, int>)_test)(&r, &flag, status);
            request = r;
        }
        else
        {
            nint r = request;
            rc = ((delegate* unmanaged<nint*, int*, byte*, int>)_test)(&r, &flag, status);
            request = r;
        }
        done = flag != 0;
        return rc;
    }

    /// <summary>MPI_Wait: blocks inside the library until the request completes.</summary>
    public int Wait(ref nint request)
    {
        byte* status = stackalloc byte[StatusBytes];
        int rc;
        if (Ints)
        {
            int r = (int)request;
            rc = ((delegate* unmanaged<int*, byte*, int>)_wait)(&r, status);
            request = r;
        }
        else
        {
            nint r = request;
            rc = ((delegate* unmanaged<nint*, byte*, int>)_wait)(&r, status);
            request = r;
        }
        return rc;
    }

    /// <summary>MPI_Abort(MPI_COMM_WORLD, code): the launcher ends every rank.</summary>
    public int Abort(int code) => Ints
        ? ((delegate* unmanaged<int, int, int>)_abort)((int)CommWorld, code)
        : ((delegate* unmanaged<nint, int, int>)_abort)(CommWorld, code);

    /// <summary>The library's words for an error code.</summary>
    public string ErrorString(int code)
    {
        byte* text = stackalloc byte[ErrorStringCapacity + 1];
        int length = 0;
        if (((delegate* unmanaged<int, byte*, int*, int>)_errorString)(code, text, &length) != Success) return $"MPI error {code}";
        return Encoding.UTF8.GetString(text, Math.Clamp(length, 0, ErrorStringCapacity)).TrimEnd('\0', ' ', '\n');
    }
}
