using System;
using System.Buffers;

namespace Dl.Distributed;

/// <summary>
/// One non-blocking sum of floats across all ranks (<c>MPI_Iallreduce</c>), reusable step after step so a training
/// loop allocates nothing. <see cref="Start"/> pins both buffers until <see cref="Wait"/> (or a true
/// <see cref="Test"/>) releases them; neither may be touched in between. MPICH and Open MPI move a non-blocking
/// collective forward only inside MPI calls (no progress thread by default), so work done between Start and Wait
/// overlaps with the sum only as far as the library got during Start and any Test calls.
/// </summary>
public sealed class AllreduceRequest
{
    private readonly MpiSession _session;
    private nint _request;
    private MemoryHandle _send, _receive;
    private bool _pending;

    internal AllreduceRequest(MpiSession session) => _session = session;

    /// <summary>Whether a sum was started and not yet completed.</summary>
    public bool IsPending => _pending;

    /// <summary>
    /// Starts summing <paramref name="send"/> over all ranks into <paramref name="receive"/> (the same length;
    /// the same memory for an in-place sum).
    /// </summary>
    /// <exception cref="InvalidOperationException">The previous sum of this request is still pending.</exception>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <exception cref="MpiException">MPI refused the call.</exception>
    public unsafe void Start(ReadOnlyMemory<float> send, Memory<float> receive)
    {
        if (_pending) throw new InvalidOperationException("this allreduce is still pending: Wait for it before starting the next");
        if (send.Length != receive.Length) throw new ArgumentException($"{send.Length} values to send but room for {receive.Length}", nameof(receive));
        _receive = receive.Pin();
        bool inPlace = send.Span.Overlaps(receive.Span);
        if (inPlace && !(send.Length == 0 || System.Runtime.CompilerServices.Unsafe.AreSame(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(send.Span), ref receive.Span[0])))
        {
            _receive.Dispose();
            throw new ArgumentException("send and receive overlap without being the same memory", nameof(receive));
        }
        void* sendPointer;
        if (inPlace) sendPointer = (void*)_session.Api.InPlace;
        else
        {
            _send = send.Pin();
            sendPointer = _send.Pointer;
        }
        int rc = _session.Api.Iallreduce(sendPointer, _receive.Pointer, receive.Length, out _request);
        if (rc != Native.MpiApi.Success)
        {
            Release();
            _session.Fail(rc, "MPI_Iallreduce");
        }
        _pending = true;
    }

    /// <summary>Moves the sum forward; true once it is complete (the buffers are then released).</summary>
    /// <exception cref="MpiException">MPI reported a failure (a rank died).</exception>
    public bool Test()
    {
        if (!_pending) return true;
        if (!_session.TestOnce(ref _request, "MPI_Iallreduce")) return false;
        Release();
        return true;
    }

    /// <summary>
    /// Waits for the sum, at most <see cref="MpiSession.Timeout"/>: past it the other ranks are taken for dead and
    /// <see cref="MpiException"/> says so (the session then aborts every rank when disposed).
    /// </summary>
    /// <exception cref="MpiException">MPI reported a failure, or the time ran out.</exception>
    public void Wait()
    {
        if (!_pending) return;
        try { _session.Complete(ref _request, "an allreduce"); }
        finally { Release(); }
    }

    private void Release()
    {
        _pending = false;
        _send.Dispose();
        _receive.Dispose();
        _send = default;
        _receive = default;
    }
}
