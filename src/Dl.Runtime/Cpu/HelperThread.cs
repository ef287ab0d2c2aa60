namespace Dl.Cpu;

/// <summary>
/// The name the pool had when it was one helper thread beside the caller, kept so that code written
/// against it still builds: <see cref="WorkerPool"/> is the pool.
/// </summary>
public static class HelperThread
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
}
