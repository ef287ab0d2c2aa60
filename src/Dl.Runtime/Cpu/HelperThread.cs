namespace Dl.Cpu;

/// <summary>
/// The name the pool had when it was one helper thread beside the caller, kept so that code written
/// against it still builds: <see cref="WorkerPool"/> is the pool.
/// </summary>
public static unsafe class HelperThread
{
    /// <summary>
    /// Whether kernels split work at all (<see cref="WorkerPool.Threads"/> above 1). Setting false
    /// keeps everything on the calling thread; setting true restores the default thread count (at least two).
    /// </summary>
    public static bool Enabled
    {
        get => WorkerPool.Threads > 1;
        set => WorkerPool.Threads = value ? System.Math.Max(2, WorkerPool.DefaultThreads()) : 1;
    }

    /// <summary>WorkerPool.Run: body over [0, count) in one part per thread when <paramref name="parallel"/>, else all here.</summary>
    internal static void Run(delegate*<void*, int, int, int, void> body, void* context, int count, bool parallel) =>
        WorkerPool.Run(body, context, count, parallel);
}
