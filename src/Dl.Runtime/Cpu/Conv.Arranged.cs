using System;
using System.Runtime.InteropServices;

namespace Dl.Cpu;

public static unsafe partial class Conv
{
    /// <summary>
    /// A direct convolution's weights in the order its kernel reads them, kept per thread and remade only
    /// when the weights change. Arranging is a transpose with strided reads (about 1 ns a weight: 2.5 us of
    /// LeNet-5's batch-1 Predict, more than its first convolution takes), while the weights of a model that
    /// predicts stay the same from call to call. So each arrangement keeps the bytes it was made from, and a
    /// call whose weights compare equal to them (a vectorised compare, a few hundred cycles) reuses it. A
    /// train step's weights differ, usually in their first bytes, and are arranged afresh. Equality of the
    /// bytes decides, never the pointer alone, so a weight changed in place is always seen. The pointer and
    /// the arrangement pick the entry, so two layers (or a layer's forward and input-gradient arrangements)
    /// do not evict each other.
    /// </summary>
    private static class ArrangedWeights
    {
        /// <summary>Arrangements kept per thread: more than the convolutions of the models this serves.</summary>
        private const int Entries = 16;

        /// <summary>Weights above this many floats are arranged every call: their convolutions dwarf the copy, and memory stays bounded.</summary>
        private const long MaxCached = 1 << 18;

        [ThreadStatic] private static Entry?[]? t_entries;
        [ThreadStatic] private static int t_next;

        /// <summary>Creates this thread's entries now, empty (<see cref="WorkerPool.PrepareThread"/>).</summary>
        public static void Prepare()
        {
            var entries = t_entries ??= new Entry?[Entries];
            for (int i = 0; i < entries.Length; i++) entries[i] ??= new Entry();
        }

        /// <summary>w [o, c, ky, kx] as [c, ky, kx, o]: the output channels of one tap side by side.</summary>
        public static float* Forward(float* w, in ConvShape s)
        {
            var entry = Find(w, s.WeightSize, flipped: false, out bool current);
            if (current) return entry.Arranged;
            // The sizes are locals: read through `in s` they were recomputed (two divisions) for every weight,
            // as the JIT cannot tell the stores from the shape; that once cost a third of LeNet's batch-1 Predict.
            float* arranged = entry.Arranged;
            int outChannels = s.OutChannels, patch = s.PatchSize;
            for (int t = 0; t < patch; t++)
                for (int o = 0; o < outChannels; o++)
                    arranged[(long)t * outChannels + o] = w[(long)o * patch + t];
            return arranged;
        }

        /// <summary>
        /// w [o, c, ky, kx] flipped and channel-swapped as [o, ky, kx, c]: the input gradient correlates the
        /// padded output gradient with it.
        /// </summary>
        public static float* Flipped(float* w, in ConvShape s)
        {
            var entry = Find(w, s.WeightSize, flipped: true, out bool current);
            if (current) return entry.Arranged;
            float* arranged = entry.Arranged;
            int k = s.KernelH, c = s.Channels, outChannels = s.OutChannels;
            for (int o = 0; o < outChannels; o++)
                for (int ch = 0; ch < c; ch++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            arranged[((long)(o * k + ky) * k + kx) * c + ch] = w[(((long)o * c + ch) * k + (k - 1 - ky)) * k + (k - 1 - kx)];
            return arranged;
        }

        /// <summary>
        /// The entry for these weights, with room for <paramref name="length"/> floats; <paramref name="current"/>
        /// when its arrangement was made from bytes equal to w's. Otherwise w's bytes are recorded as the
        /// entry's source and the caller arranges them.
        /// </summary>
        private static Entry Find(float* w, long length, bool flipped, out bool current)
        {
            var entries = t_entries ??= new Entry?[Entries];
            current = false;
            if (length > MaxCached)
                return Take(entries, null, length, flipped);   // no source recorded: never matched, arranged every call
            foreach (var e in entries)
                if (e is not null && e.Source == w && e.Flipped == flipped && e.Length == length)
                {
                    var bytes = new ReadOnlySpan<byte>(w, (int)length * sizeof(float));
                    var raw = new Span<byte>(e.Raw, bytes.Length);
                    current = bytes.SequenceEqual(raw);
                    if (!current) bytes.CopyTo(raw);
                    return e;
                }
            // A layer not seen (or evicted) takes the next slot in turn.
            var entry = Take(entries, w, length, flipped);
            new ReadOnlySpan<float>(w, (int)length).CopyTo(new Span<float>(entry.Raw, (int)length));
            return entry;
        }

        private static Entry Take(Entry?[] entries, float* source, long length, bool flipped)
        {
            var entry = entries[t_next] ??= new Entry();
            t_next = (t_next + 1) % Entries;
            entry.Reserve(length);
            entry.Source = source;
            entry.Flipped = flipped;
            return entry;
        }

        /// <summary>One arrangement and the weights it was made from (native, 64-byte aligned, freed with the thread's entry).</summary>
        private sealed class Entry
        {
            public float* Source;
            public bool Flipped;
            public long Length;
            public float* Raw, Arranged;
            private long _capacity;

            public void Reserve(long length)
            {
                Length = length;
                if (length <= _capacity) return;
                Free();
                Raw = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
                Arranged = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
                _capacity = length;
            }

            private void Free()
            {
                if (Raw != null) NativeMemory.AlignedFree(Raw);
                if (Arranged != null) NativeMemory.AlignedFree(Arranged);
                Raw = Arranged = null;
            }

            ~Entry() => Free();
        }
    }
}
