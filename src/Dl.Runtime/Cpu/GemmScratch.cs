using System;
using System.Runtime.InteropServices;

namespace Dl.Cpu;

/// <summary>
/// Native, 64-byte aligned scratch for packed panels, grown only when a larger product arrives (to
/// the larger of the request and twice the old size) and never shrunk: a warm call allocates
/// nothing. Each thread owns one for A and one for B (<see cref="ForA"/>, <see cref="ForB"/>), and
/// one for the workers' partial products of a split it asks for (<see cref="ForPartial"/>).
/// </summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? t_a;
    [ThreadStatic] private static GemmScratch? t_b;
    [ThreadStatic] private static GemmScratch? t_partial;

    private float* _data;
    private long _capacity;

    /// <summary>This thread's scratch for packed blocks of A.</summary>
    public static GemmScratch ForA => t_a ??= new GemmScratch();

    /// <summary>This thread's scratch for a packed B.</summary>
    public static GemmScratch ForB => t_b ??= new GemmScratch();

    /// <summary>
    /// This thread's scratch for the parts after the first of a product it splits along k (<see cref="GemmSplit"/>):
    /// the workers write them while this thread waits, and this thread adds them in after.
    /// </summary>
    public static GemmScratch ForPartial => t_partial ??= new GemmScratch();

    /// <summary>Creates this thread's three scratch objects now (<see cref="WorkerPool.PrepareThread"/>).</summary>
    internal static void Prepare() { _ = ForA; _ = ForB; _ = ForPartial; }

    /// <summary>At least <paramref name="floats"/> floats, 64-byte aligned; contents undefined.</summary>
    public float* Get(long floats)
    {
        if (floats > _capacity)
        {
            if (_data != null) NativeMemory.AlignedFree(_data);
            _data = null;
            long capacity = Math.Max(floats, _capacity * 2);
            _data = (float*)NativeMemory.AlignedAlloc((nuint)(capacity * sizeof(float)), 64);
            _capacity = capacity;
        }
        return _data;
    }

    ~GemmScratch()
    {
        if (_data != null) NativeMemory.AlignedFree(_data);
    }
}
