using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Gives every value an entry point materialises a place: inputs stay in the caller's spans,
/// parameters and their gradients in two parallel arrays, and everything else in one arena,
/// reusing a slot once its last reader has run (liveness over the kernel order, first fit).
/// Batch-dependent values are planned in per-sample units in a region of their own.
/// </summary>
public static class MemoryPlanner
{
    private const long Align = 16; // floats: 64 bytes, one AVX-512 register

    public static EntryPoint Plan(string name, List<Kernel> kernels, IReadOnlyList<Node> roots,
        IReadOnlyDictionary<Node, long> paramOffsets, IReadOnlyDictionary<Node, Node> gradientOf,
        IReadOnlyDictionary<Node, long>? stateOffsets = null, IReadOnlyDictionary<Node, Node>? stateUpdates = null,
        IReadOnlyList<Node>? carried = null, IReadOnlyDictionary<Node, Node>? carriedUpdates = null)
    {
        var locations = new Dictionary<Node, Location>();
        // Every parameter whose gradient is taken is placed too: its gradient slot is found through it
        // even when no kernel reads it (a loss that does not depend on it).
        foreach (var n in kernels.SelectMany(k => k.Reads.Concat(k.Writes)).Concat(roots).Concat(gradientOf.Keys.OrderBy(p => paramOffsets[p])).Distinct())
            PlaceSource(n, locations, paramOffsets);
        foreach (var s in stateOffsets ?? new Dictionary<Node, long>())
            locations[s.Key] = new StateLocation(s.Value);
        foreach (var (c, index) in (carried ?? new Node[0]).Select((c, i) => (c, i)))
            locations[c] = new CarriedLocation(index);

        // A parameter's gradient is written straight into its slot when the kernel computing it is
        // the only writer; otherwise (an input, a constant, a value two parameters share) it is copied.
        var copies = new List<Kernel>();
        var written = new HashSet<Node>(kernels.SelectMany(k => k.Writes));
        foreach (var (gradient, param) in gradientOf.Select(kv => (kv.Value, kv.Key)).OrderBy(t => paramOffsets[t.Key]))
        {
            if (written.Contains(gradient) && !locations.ContainsKey(gradient))
                locations[gradient] = new GradientLocation(paramOffsets[param]);
            else
                copies.Add(new GradientCopyKernel(gradient, param));
        }
        // New running averages go to the state array last: nothing of the step reads the old ones after that.
        foreach (var (state, value) in (stateUpdates ?? new Dictionary<Node, Node>()).OrderBy(u => stateOffsets![u.Key]).Select(u => (u.Key, u.Value)))
            if (value != state) copies.Add(new StateUpdateKernel(value, state));
        // So do the final states of stateful recurrent layers: the backward pass reads the initial ones.
        foreach (var state in carried ?? new Node[0])
            if (carriedUpdates is not null && carriedUpdates.TryGetValue(state, out var value) && value != state)
                copies.Add(new StateUpdateKernel(value, state));
        kernels = kernels.Concat(copies).ToList();
        // A copy may read what no kernel did: a gradient that is an input or another parameter.
        foreach (var n in copies.SelectMany(k => k.Reads))
            PlaceSource(n, locations, paramOffsets);

        var lastUse = new Dictionary<Node, int>();
        for (int t = 0; t < kernels.Count; t++)
            foreach (var r in kernels[t].Reads)
                lastUse[Base(r)] = t;
        foreach (var r in roots) lastUse[Base(r)] = int.MaxValue; // results outlive the call

        // One pool per power of N the values grow with: fixed, per sample, per pair of samples...
        var pools = new List<Pool>();
        Pool PoolFor(int power)
        {
            while (pools.Count <= power) pools.Add(new Pool());
            return pools[power];
        }
        PoolFor(1);
        // Values by the step after which they die (their last reader; the step that wrote them when
        // nothing reads them), in the order they were allocated: each is freed as the next step starts.
        var dying = new Dictionary<int, List<(Pool Pool, long Offset, long Size)>>();
        var scratch = new Dictionary<Kernel, IReadOnlyList<long>>();
        for (int t = 0; t < kernels.Count; t++)
        {
            if (dying.TryGetValue(t - 1, out var dead))
                foreach (var (pool, offset, size) in dead) pool.Free(offset, size);
            foreach (var w in kernels[t].Writes)
            {
                if (locations.ContainsKey(w)) continue;
                if (w.Type != DType.Float32)
                    throw new InvalidOperationException($"{w}: integer intermediates are not supported");
                var pool = PoolFor(w.Shape.BatchRank);
                // Sizes in units of N^power, rounded to 64 bytes so every value starts aligned; not for
                // values over pairs of samples, where one [N,N] matrix would take 16·N² floats.
                long size = w.Shape.BatchRank > 1 ? w.Shape.StaticCount : RoundUp(w.Shape.StaticCount);
                long offset = pool.Allocate(size);
                locations[w] = new ArenaLocation(offset, w.Shape.BatchRank);
                int death = lastUse.TryGetValue(w, out var u) ? Math.Max(u, t) : t;
                if (death == int.MaxValue) continue;
                if (!dying.TryGetValue(death, out var list)) dying[death] = list = new List<(Pool, long, long)>();
                list.Add((pool, offset, size));
            }
            // A loop's working memory (its step's values, carries, copied slices) lives while the loop runs.
            if (kernels[t] is LoopKernel loop)
            {
                var at = new long[loop.Scratch.Count];
                for (int p = 0; p < loop.Scratch.Count; p++)
                {
                    if (loop.Scratch[p] == 0) continue;
                    var pool = PoolFor(p);
                    at[p] = pool.Allocate(loop.Scratch[p]);
                    if (!dying.TryGetValue(t, out var list)) dying[t] = list = new List<(Pool, long, long)>();
                    list.Add((pool, at[p], loop.Scratch[p]));
                }
                scratch[loop] = at;
            }
        }
        foreach (var n in locations.Keys.ToList().Where(n => n.Op is ReshapeOp))
            locations[n] = locations[Base(n)];

        return new EntryPoint(name, kernels, roots, locations, pools.Select(p => p.High).ToList()) { Scratch = scratch };
    }

    private static void PlaceSource(Node n, Dictionary<Node, Location> locations, IReadOnlyDictionary<Node, long> paramOffsets)
    {
        var b = Base(n);
        if (b.Op is InputOp input) locations[b] = new InputLocation(input.InputName);
        else if (b.Op is ParamOp) locations[b] = new ParamLocation(paramOffsets[b]);
    }

    /// <summary>Reshapes alias their input: the storage is the first non-reshape below.</summary>
    public static Node Base(Node n)
    {
        while (n.Op is ReshapeOp) n = n[0];
        return n;
    }

    private static long RoundUp(long n) => (n + Align - 1) / Align * Align;

    /// <summary>First-fit allocator over one region; <see cref="High"/> is the region's size.</summary>
    private sealed class Pool
    {
        private readonly List<(long Offset, long Size)> _free = new();
        public long High { get; private set; }

        public long Allocate(long size)
        {
            for (int i = 0; i < _free.Count; i++)
            {
                var (o, s) = _free[i];
                if (s < size) continue;
                if (s == size) _free.RemoveAt(i); else _free[i] = (o + size, s - size);
                return o;
            }
            // Grow: reuse a free block at the end of the region if there is one.
            if (_free.Count > 0 && _free[_free.Count - 1] is var last && last.Offset + last.Size == High)
            {
                _free.RemoveAt(_free.Count - 1);
                High = last.Offset + size;
                return last.Offset;
            }
            long offset = High;
            High += size;
            return offset;
        }

        public void Free(long offset, long size)
        {
            _free.Add((offset, size));
            _free.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            for (int i = _free.Count - 2; i >= 0; i--)
                if (_free[i].Offset + _free[i].Size == _free[i + 1].Offset)
                {
                    _free[i] = (_free[i].Offset, _free[i].Size + _free[i + 1].Size);
                    _free.RemoveAt(i + 1);
                }
        }
    }
}

/// <summary>One generated method's plan: its kernels in order and where every value lives.</summary>
public sealed class EntryPoint
{
    public EntryPoint(string name, IReadOnlyList<Kernel> kernels, IReadOnlyList<Node> roots, IReadOnlyDictionary<Node, Location> locations, IReadOnlyList<long> regionSizes)
    {
        Name = name; Kernels = kernels; Roots = roots; Locations = locations; RegionSizes = regionSizes;
    }

    public string Name { get; }
    public IReadOnlyList<Kernel> Kernels { get; }
    public IReadOnlyList<Node> Roots { get; }
    public IReadOnlyDictionary<Node, Location> Locations { get; }
    /// <summary>Arena floats per N^p for each power p: [0] is fixed, [1] per sample, [2] per pair of samples.</summary>
    public IReadOnlyList<long> RegionSizes { get; }
    /// <summary>Where each loop kernel's scratch block starts in each region (per n^p units).</summary>
    public IReadOnlyDictionary<Kernel, IReadOnlyList<long>> Scratch { get; init; } = new Dictionary<Kernel, IReadOnlyList<long>>();
    public long FixedSize => RegionSizes[0];
    public long PerSampleSize => RegionSizes[1];
}
