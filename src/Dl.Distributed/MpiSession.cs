using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;
using Dl.Distributed.Native;

namespace Dl.Distributed;

/// <summary>
/// This process's part in an MPI job: starts MPI on <see cref="Start"/> and finalizes it on <see cref="Dispose"/>.
/// One per process (MPI can be started once). Every collective here runs as a non-blocking MPI call polled with a
/// deadline (<see cref="Timeout"/>), and MPI errors are returned rather than fatal, so a rank that died or hangs
/// turns into an <see cref="MpiException"/> that says so within seconds instead of a hang. After such a failure,
/// <see cref="Dispose"/> prints the failure on standard error and aborts every rank (<c>MPI_Abort</c>): finalizing
/// would wait for ranks that will never come. Calls must come from the thread that started the session.
/// </summary>
public sealed unsafe class MpiSession : IDisposable
{
    /// <summary>The environment variable that sets <see cref="Timeout"/> in seconds when Start is not given one.</summary>
    public const string TimeoutVariable = "DL_MPI_TIMEOUT";

    /// <summary>
    /// How long a collective waits when neither Start nor <see cref="TimeoutVariable"/> says: long enough for rank 0
    /// to write a checkpoint or evaluate while the others wait at the next step, short enough to end a dead job.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static int _started;
    private readonly PosixSignalRegistration _terminated;
    private string? _failure;
    private bool _disposed;

    private MpiSession(MpiApi api, int rank, int worldSize, TimeSpan timeout)
    {
        Api = api;
        Rank = rank;
        WorldSize = worldSize;
        Timeout = timeout;
        // Launchers end the remaining ranks with SIGTERM when one rank exits early (MPICH's Hydra silently): say why
        // this rank ends, then let the signal end it.
        _terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ =>
        {
            Console.Error.WriteLine($"rank {Rank} of {WorldSize}: ended by the MPI launcher (SIGTERM), which usually means another rank exited or failed");
            Console.Error.Flush();
        });
    }

    /// <summary>This process's rank, 0 to <see cref="WorldSize"/> - 1.</summary>
    public int Rank { get; }

    /// <summary>How many processes the job has.</summary>
    public int WorldSize { get; }

    /// <summary>Whether this is rank 0, the one that alone writes checkpoints, logs and plots.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The longest a collective waits for the other ranks before this rank gives the job up.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The MPI library that was loaded (a file name or path).</summary>
    public string Library => Api.Name;

    /// <summary>Its ABI family.</summary>
    public MpiFamily Family => Api.Family;

    internal MpiApi Api { get; }

    /// <summary>
    /// Loads the machine's MPI library (see docs/distributed.md for which) and starts MPI with
    /// <c>MPI_THREAD_FUNNELED</c>. Run under <c>mpirun</c> for a job of several ranks; started directly, MPI makes a
    /// job of one.
    /// </summary>
    /// <param name="timeout">The collectives' deadline; null reads <see cref="TimeoutVariable"/>, else <see cref="DefaultTimeout"/>.</param>
    /// <exception cref="MpiException">No MPI library loads, MPI fails to start, or a session was started before in this process.</exception>
    public static MpiSession Start(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeoutFromEnvironment();
        if (limit <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), limit, "the timeout must be positive");
        var (handle, name, family) = MpiLibrary.Load();
        var api = new MpiApi(handle, name, family);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new MpiException("MPI was already started in this process; MPI can be started once, so share the one MpiSession");
        if (api.Initialized()) throw new MpiException($"{name}: MPI was started by other code in this process; MpiSession must start it");
        int rc = api.InitThread(MpiApi.ThreadFunneled, out int provided);
        if (rc != MpiApi.Success) throw new MpiException($"{name}: MPI_Init_thread failed: {api.ErrorString(rc)}");
        if (provided < MpiApi.ThreadFunneled)
        {
            api.Abort(1);
            throw new MpiException($"{name}: MPI gives thread level {provided}; this package needs MPI_THREAD_FUNNELED (1)");
        }
        if ((rc = api.ReturnErrors()) != MpiApi.Success) throw new MpiException($"{name}: MPI_Comm_set_errhandler failed: {api.ErrorString(rc)}");
        if ((rc = api.CommRank(out int rank)) != MpiApi.Success) throw new MpiException($"{name}: MPI_Comm_rank failed: {api.ErrorString(rc)}");
        if ((rc = api.CommSize(out int size)) != MpiApi.Success) throw new MpiException($"{name}: MPI_Comm_size failed: {api.ErrorString(rc)}");
        return new MpiSession(api, rank, size, limit);
    }

    /// <summary>Waits until every rank has called it (at most <see cref="Timeout"/>).</summary>
    /// <exception cref="MpiException">A rank failed or did not come in time.</exception>
    public void Barrier()
    {
        ThrowIfUnusable();
        int rc = Api.Ibarrier(out nint request);
        if (rc != MpiApi.Success) Fail(rc, "MPI_Ibarrier");
        Complete(ref request, "a barrier");
    }

    /// <summary>Copies <paramref name="values"/> of rank <paramref name="root"/> into <paramref name="values"/> of every other rank.</summary>
    /// <exception cref="MpiException">A rank failed or did not come in time.</exception>
    public void Broadcast(Span<float> values, int root = 0)
    {
        ThrowIfUnusable();
        if ((uint)root >= (uint)WorldSize) throw new ArgumentOutOfRangeException(nameof(root), root, $"the root must be a rank in [0, {WorldSize})");
        fixed (float* p = values)
        {
            int rc = Api.Ibcast(p, values.Length, root, out nint request);
            if (rc != MpiApi.Success) Fail(rc, "MPI_Ibcast");
            Complete(ref request, "a broadcast");
        }
    }

    /// <summary>
    /// Sums <paramref name="send"/> over all ranks, element by element, into <paramref name="receive"/> on every
    /// rank (<c>MPI_Allreduce</c> with <c>MPI_SUM</c>); blocks at most <see cref="Timeout"/>. Every rank gets the
    /// same bits: MPI sums in one order and sends the result.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <exception cref="MpiException">A rank failed or did not come in time.</exception>
    public void AllreduceSum(ReadOnlySpan<float> send, Span<float> receive)
    {
        ThrowIfUnusable();
        if (send.Length != receive.Length) throw new ArgumentException($"{send.Length} values to send but room for {receive.Length}", nameof(receive));
        if (send.Overlaps(receive)) throw new ArgumentException("send and receive overlap; use AllreduceSum(values) for an in-place sum", nameof(receive));
        fixed (float* s = send, r = receive)
            Reduce(s, r, receive.Length);
    }

    /// <summary>Sums <paramref name="values"/> over all ranks in place (<c>MPI_IN_PLACE</c>); blocks at most <see cref="Timeout"/>.</summary>
    /// <exception cref="MpiException">A rank failed or did not come in time.</exception>
    public void AllreduceSum(Span<float> values)
    {
        ThrowIfUnusable();
        fixed (float* v = values)
            Reduce((float*)Api.InPlace, v, values.Length);
    }

    /// <summary>A reusable non-blocking allreduce (sum of floats) on this session.</summary>
    public AllreduceRequest CreateAllreduce()
    {
        ThrowIfUnusable();
        return new AllreduceRequest(this);
    }

    /// <summary>
    /// Ends the whole job now: writes "rank R of N: <paramref name="message"/>" on standard error and calls
    /// <c>MPI_Abort</c>, which makes the launcher end every rank with <paramref name="exitCode"/>. For a failure on one
    /// rank that the others cannot know of (they would wait at the next collective until <see cref="Timeout"/>).
    /// Does not return.
    /// </summary>
    public void Abort(string message, int exitCode = 1)
    {
        Console.Error.WriteLine($"rank {Rank} of {WorldSize}: {message.ReplaceLineEndings(" ")}; aborting every rank");
        Console.Error.Flush();
        _disposed = true;
        Api.Abort(exitCode);
        // MPI_Abort may return where the launcher is gone; the process must end anyway.
        Environment.Exit(exitCode);
    }

    /// <summary>
    /// Finalizes MPI; after a failed collective, aborts the job instead (see the class remarks). Call it on every
    /// rank: finalizing is itself a meeting of all ranks.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (_failure is { } failure) Abort(failure);
        _disposed = true;
        _terminated.Dispose();
        if (!Api.Finalized()) Api.Finalize();
    }

    /// <summary>MPI_Allreduce itself (blocking inside the library, no deadline): for the benchmark's comparison only.</summary>
    internal void AllreduceSumUnguarded(ReadOnlySpan<float> send, Span<float> receive)
    {
        fixed (float* s = send, r = receive)
        {
            int rc = Api.Allreduce(s, r, receive.Length);
            if (rc != MpiApi.Success) Fail(rc, "MPI_Allreduce");
        }
    }

    private void Reduce(float* send, float* receive, int count)
    {
        int rc = Api.Iallreduce(send, receive, count, out nint request);
        if (rc != MpiApi.Success) Fail(rc, "MPI_Iallreduce");
        Complete(ref request, "an allreduce");
    }

    /// <summary>Polls <paramref name="request"/> until it completes; throws once <see cref="Timeout"/> has passed.</summary>
    internal void Complete(ref nint request, string what)
    {
        long start = Stopwatch.GetTimestamp();
        long limit = (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        for (int polls = 0; ; polls++)
        {
            if (TestOnce(ref request, what)) return;
            // Spin first (a sum between two ranks on one machine takes tens of microseconds), then give the core away:
            // with more ranks than cores a spinning rank would delay the very rank it waits for.
            if (polls < 1000) continue;
            if (Stopwatch.GetTimestamp() - start > limit)
                throw Failure($"{what} got no answer from the other ranks in {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: " +
                              $"a rank has died, hangs, or is far behind (a longer wait: {TimeoutVariable}=seconds)");
            Thread.Yield();
        }
    }

    /// <summary>One MPI_Test of <paramref name="request"/>: whether it is complete.</summary>
    internal bool TestOnce(ref nint request, string what)
    {
        int rc = Api.Test(ref request, out bool done);
        if (rc != MpiApi.Success) Fail(rc, what);
        return done;
    }

    /// <summary>Throws the failure of an MPI call (and marks the session for abort).</summary>
    [DoesNotReturn]
    internal void Fail(int code, string call) =>
        throw Failure($"{call} failed: {Api.ErrorString(code)} (a rank has probably died)");

    private MpiException Failure(string message)
    {
        _failure ??= message;
        return new MpiException($"rank {Rank} of {WorldSize}: {message}");
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is { } failure) throw new MpiException($"rank {Rank} of {WorldSize}: an earlier collective failed ({failure}); the session can only be disposed");
    }

    private static TimeSpan TimeoutFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (string.IsNullOrEmpty(text)) return DefaultTimeout;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds < 1e6)
            return TimeSpan.FromSeconds(seconds);
        throw new MpiException($"{TimeoutVariable}={text}: give the collectives' timeout as a positive number of seconds");
    }
}
