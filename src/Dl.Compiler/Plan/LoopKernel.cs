using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// One loop (<see cref="ScanOp"/>) of an entry point: every result of it that the entry point uses
/// (final carries, stacked per-step values, residuals for the backward loop) computed by one run of
/// the body. The body is compiled like an entry point of its own (<see cref="Step"/>: simplified,
/// fused, memory-planned); its working memory, the carries and the copied slices live in a
/// <see cref="Scratch"/> block of the entry point's arena while the loop runs.
/// </summary>
public sealed class LoopKernel : Kernel
{
    internal LoopKernel(ScanOp loop, IReadOnlyList<Node> inputs, IReadOnlyList<Node> results, EntryPoint step,
        IReadOnlyDictionary<Node, Node> bodyMap, IReadOnlyList<ArenaLocation> carryBuffers, IReadOnlyList<ArenaLocation?> sliceBuffers,
        IReadOnlyList<long> scratch)
    {
        Loop = loop; Inputs = inputs; Results = results; Step = step; BodyMap = bodyMap;
        CarryBuffers = carryBuffers; SliceBuffers = sliceBuffers; Scratch = scratch;
    }

    /// <summary>The loop (any of its results' ops: they differ only in the selection).</summary>
    public ScanOp Loop { get; }
    /// <summary>The loop's outer inputs: initial carries, sequences, captures.</summary>
    public IReadOnlyList<Node> Inputs { get; }
    /// <summary>The result nodes this kernel writes, each a <see cref="ScanOp"/> node over <see cref="Inputs"/>.</summary>
    public IReadOnlyList<Node> Results { get; }
    /// <summary>One step, planned: its kernels and where each body value lives (arena offsets within the scratch block).</summary>
    public EntryPoint Step { get; }
    /// <summary>From the loop's own body nodes to the simplified ones <see cref="Step"/> computes.</summary>
    public IReadOnlyDictionary<Node, Node> BodyMap { get; }
    /// <summary>Where each carry lives between steps (within the scratch block).</summary>
    public IReadOnlyList<ArenaLocation> CarryBuffers { get; }
    /// <summary>Where a step's slice of each sequence is copied, or null when it is read in place (a leading loop axis).</summary>
    public IReadOnlyList<ArenaLocation?> SliceBuffers { get; }
    /// <summary>Floats of scratch per n^p for each power p (fixed, per sample, ...), planned by <see cref="MemoryPlanner"/>.</summary>
    public IReadOnlyList<long> Scratch { get; }

    public override IReadOnlyList<Node> Writes => Results;
    public override IReadOnlyList<Node> Reads => Inputs.Distinct().ToList();
    public override IReadOnlyList<Node> Fused => Results;

    /// <summary>The body's value (simplified) for one of the loop's own body nodes.</summary>
    public Node BodyValue(Node bodyNode) => BodyMap[bodyNode];
}

/// <summary>
/// Turns the unfused loop nodes of an entry point into <see cref="LoopKernel"/>s: the results of
/// one loop over the same inputs become one kernel, placed where the first of them was (every input
/// is ready there, since all results share the inputs).
/// </summary>
public static class Loops
{
    private const long Align = 16;

    public static List<Kernel> Group(List<Kernel> kernels)
    {
        var groups = new List<(ScanOp Loop, IReadOnlyList<Node> Inputs, List<Node> Results, int At)>();
        var result = new List<Kernel>();
        foreach (var k in kernels)
        {
            if (k is not SingleKernel { Node.Op: ScanOp scan } single) { result.Add(k); continue; }
            var node = single.Node;
            int found = groups.FindIndex(gr => gr.Loop.SameLoop(scan) && gr.Inputs.SequenceEqual(node.Inputs));
            if (found >= 0) { groups[found].Results.Add(node); continue; }
            groups.Add((scan, node.Inputs, new List<Node> { node }, result.Count));
            result.Add(k); // replaced below
        }
        foreach (var (loop, inputs, results, at) in groups)
            result[at] = Build(loop, inputs, results);
        return result;
    }

    private static LoopKernel Build(ScanOp loop, IReadOnlyList<Node> inputs, IReadOnlyList<Node> results)
    {
        var body = loop.Body;
        foreach (var slot in body.Carries.Concat(body.Slices))
            if (slot.Type != DType.Float32)
                throw new NotSupportedException($"a loop over an integer carry or sequence ({slot.Op.Key}) cannot be compiled yet");
        var stacked = results.Select(r => ((ScanOp)r.Op).StackedNode).Where(n => n is not null).Select(n => n!).Distinct().ToList();
        foreach (var s in stacked)
            if (s.Type != DType.Float32)
                throw new NotSupportedException($"a loop cannot stack the integer value {s} yet");

        // One step, compiled like an entry point: simplified, fused, planned.
        var roots = body.CarriesOut.Concat(stacked).Distinct().ToList();
        var clean = new GraphBuilder();
        var map = Simplify.Run(clean, roots.Concat(body.Carries).Concat(body.Slices).Concat(body.Captures));
        var stepRoots = roots.Select(r => map[r]).Distinct().ToList();
        // Carries are handed on one after another at the end of a step: one carry passed on as another would be overwritten first.
        for (int i = 0; i < body.Carries.Count; i++)
            if (MemoryPlanner.Base(map[body.CarriesOut[i]]).Op is LoopSlotOp { Kind: LoopSlotKind.Carry } other && other.Index != i)
                throw new NotSupportedException($"a loop that hands carry {other.Index} on as carry {i} cannot be compiled yet");
        var kernels = Group(Fusion.Lower(stepRoots));
        var step = MemoryPlanner.Plan("Step", kernels, stepRoots, new Dictionary<Node, long>(), new Dictionary<Node, Node>());

        // Beside the step's own memory: a buffer per carry, and one per sequence sliced along an inner axis.
        var high = step.RegionSizes.ToList();
        ArenaLocation Buffer(Shape shape)
        {
            int power = shape.BatchRank;
            while (high.Count <= power) high.Add(0);
            long size = power > 1 ? shape.StaticCount : (shape.StaticCount + Align - 1) / Align * Align;
            var at = new ArenaLocation(high[power], power);
            high[power] += size;
            return at;
        }
        var carries = body.Carries.Select(c => Buffer(c.Shape)).ToList();
        var slices = body.Slices.Select((s, j) => loop.SliceAxes[j] == 0 ? null : Buffer(s.Shape)).ToList();
        return new LoopKernel(loop, inputs, results, step, map, carries, slices, high);
    }
}
