namespace Dl.Cpu;

/// <summary>
/// Packed B panels kept from one product to the next while a thread runs a part of a loop split over
/// the batch's rows (Dl.RowSplit): every step of such a loop multiplies by the same weights (a loop's
/// batch-free operands are its captures, which nothing in the loop writes), so a part packs them on its
/// first step and reads the packing at the 27 others. Without it each part would pack the whole
/// recurrent weight every step (an LSTM(28, 128)'s 512 x 128 stored [n, k]: 256 KB a step), where the
/// product cut by columns had each core pack half. A few weights per loop (a GRU's three gate products
/// share one); the oldest is repacked when a fifth arrives. Packing does not change a product's sums,
/// so a kept packing gives the same bits. A garbage collection (which may move the arrays) forgets every packing.
/// </summary>
internal static unsafe class GemmPackedB
{
    private const int Entries = 4;

    private struct Key
    {
        public float* B;
        public long Ldb, Size;
        public int K, N, Width;
        public bool TransB, Valid;
    }

    private sealed class Cache
    {
        public readonly GemmScratch[] Buffers = { new(), new(), new(), new() };
        public readonly Key[] Keys = new Key[Entries];
        public int Next, Collections;
    }

    [System.ThreadStatic] private static Cache? t_cache;
    [System.ThreadStatic] private static bool t_active;

    /// <summary>Creates this thread's cache of packings now (<see cref="WorkerPool.PrepareThread"/>).</summary>
    internal static void Prepare() => t_cache ??= new Cache();

    /// <summary>Whether this thread keeps packings (inside a row part).</summary>
    public static bool Active => t_active;

    /// <summary>Starts keeping packings on this thread, forgetting any kept before; returns whether it already kept them (to pass to <see cref="End"/>).</summary>
    public static bool Begin()
    {
        var cache = t_cache ??= new Cache();
        for (int i = 0; i < Entries; i++) cache.Keys[i].Valid = false;
        bool was = t_active;
        t_active = true;
        return was;
    }

    /// <summary>Stops keeping packings (or goes on, when <paramref name="was"/>: a part inside a part).</summary>
    public static void End(bool was)
    {
        t_active = was;
        if (t_cache is { } cache)
            for (int i = 0; i < Entries; i++) cache.Keys[i].Valid = false;
    }

    /// <summary>
    /// The buffer of <paramref name="size"/> floats holding <paramref name="job"/>'s B packed in panels of
    /// <paramref name="width"/>; <paramref name="packed"/> says whether it already does (else the caller packs into it).
    /// </summary>
    public static float* Get(in GemmJob job, int width, long size, out bool packed)
    {
        var cache = t_cache!;
        // A collection may have moved the arrays (another thread allocated): an address then no longer names the same weights.
        int collections = System.GC.CollectionCount(0);
        if (collections != cache.Collections)
        {
            for (int i = 0; i < Entries; i++) cache.Keys[i].Valid = false;
            cache.Collections = collections;
        }
        for (int i = 0; i < Entries; i++)
        {
            ref var key = ref cache.Keys[i];
            if (key.Valid && key.B == job.B && key.Ldb == job.Ldb && key.K == job.K && key.N == job.N && key.Width == width && key.TransB == job.TransB && key.Size == size)
            {
                packed = true;
                return cache.Buffers[i].Get(size);
            }
        }
        int slot = cache.Next;
        cache.Next = (slot + 1) % Entries;
        cache.Keys[slot] = new Key { B = job.B, Ldb = job.Ldb, Size = size, K = job.K, N = job.N, Width = width, TransB = job.TransB, Valid = true };
        packed = false;
        return cache.Buffers[slot].Get(size);
    }
}
