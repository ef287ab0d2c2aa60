using System;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>Sets <see cref="WorkerPool.Threads"/> for a test, with no worker benched, and puts the old value back when disposed.</summary>
internal readonly struct PoolThreads : IDisposable
{
    private readonly int _was;

    public PoolThreads(int threads)
    {
        _was = WorkerPool.Threads;
        WorkerPool.Threads = threads;
        WorkerPool.ResetBenching();
    }

    public void Dispose()
    {
        WorkerPool.Threads = _was;
        WorkerPool.ResetBenching();
    }
}
