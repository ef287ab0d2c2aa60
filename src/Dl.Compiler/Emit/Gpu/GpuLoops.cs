using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// A loop kernel on the device: a host <c>for</c> over the steps that enqueues the body's own (fused,
/// planned) kernels on the model's one stream, as the CPU backend calls them (CpuEmitter.Loops.cs).
/// Nothing waits for the device between steps: the stream runs the launches in order. Before the loop
/// the carries are copied into their buffers; each step copies its slices in (a leading loop axis is
/// read in place, as a sub-view), runs the body, stores the stacked values at the step's place, then
/// hands the new carries on. The final carries are copied out after the last step.
/// </summary>
internal sealed partial class GpuClassWriter
{
    private void Loop(SourceWriter w, LoopKernel k, Func<Node, string> outer, EntryStorage storage, IReadOnlyList<long> scratchAt, int depth)
    {
        var loop = k.Loop;
        var body = loop.Body;
        string t = _g["__t" + depth];
        int steps = loop.Length;
        ArenaLocation InScratch(ArenaLocation a) => new(a.Offset + (a.BatchPower < scratchAt.Count ? scratchAt[a.BatchPower] : 0), a.BatchPower);
        // The step's working memory is at the same place every step: named views like the run method's own.
        // Two values at one place have two names: the carries compare places (viewOf), not names, to skip a copy.
        var viewOf = new Dictionary<string, string>();
        string Scratch(Location at, Node node)
        {
            string view = At(at, node, "n"), name = storage.Of(node, at, view, TypeOf(view));
            viewOf[name] = view;
            return name;
        }
        string Place(string named) => viewOf.TryGetValue(named, out var view) ? view : named;

        string Inner(Node node)
        {
            var b = MemoryPlanner.Base(node);
            if (b.Op is LoopSlotOp slot)
            {
                string count = Sizes.Count(node.Shape);
                return slot.Kind switch
                {
                    LoopSlotKind.Carry => Scratch(InScratch(k.CarryBuffers[slot.Index]), node),
                    LoopSlotKind.Capture => outer(k.Inputs[body.InputIndexOf(slot)]),
                    _ => k.SliceBuffers[slot.Index] is { } buffer ? Scratch(InScratch(buffer), node)
                        : $"{outer(k.Inputs[body.InputIndexOf(slot)])}.SubView((long){t} * ({count}), {count})",
                };
            }
            var location = k.Step.Locations.TryGetValue(node, out var l) ? l : k.Step.Locations[b];
            return Scratch(location is ArenaLocation a ? InScratch(a) : location, node);
        }
        string Carry(int i) => Scratch(InScratch(k.CarryBuffers[i]), body.Carries[i]);

        w.Line($"// A loop of {steps} steps{(loop.Reverse ? ", last step first" : "")}, one host iteration of launches a step: {string.Join(", ", k.Results.Select(r => $"%{GraphText.Id(r, _kernels.Ids)} ({((ScanOp)r.Op).Selection})"))}.");
        for (int i = 0; i < body.Carries.Count; i++)
            w.Line($"__k.Copy(__s, {outer(k.Inputs[i])}, {Carry(i)});");
        w.Open(loop.Reverse ? $"for (int {t} = {steps - 1}; {t} >= 0; {t}--)" : $"for (int {t} = 0; {t} < {steps}; {t}++)");
        for (int j = 0; j < body.Slices.Count; j++)
        {
            if (k.SliceBuffers[j] is null) continue;
            var xs = k.Inputs[body.Carries.Count + j];
            var (before, inner) = Sizes.Around(xs.Shape, loop.SliceAxes[j]);
            var read = _kernels.Add(StepCopy("LoopSliceIn", $"one step of %{GraphText.Id(xs, _kernels.Ids)}, sliced along axis {loop.SliceAxes[j]}", steps, inner, store: false));
            w.Line($"{read.Field}(__s, ({before}) * ({inner}), n, {t}, {outer(xs)}, {Inner(body.Slices[j])});");
        }
        Calls(w, k.Step, Inner, p => throw new InvalidOperationException($"a loop body has no parameter ({p})"), storage, scratchAt, depth + 1);
        foreach (var r in k.Results)
        {
            var scan = (ScanOp)r.Op;
            if (scan.StackedNode is not { } stacked) continue;
            string value = Inner(k.BodyValue(stacked));
            var (before, inner) = Sizes.Around(r.Shape, scan.Selection.Axis);
            if (before == "1") w.Line($"__k.Copy(__s, {value}, {outer(r)}.SubView((long){t} * ({inner}), {inner}));");
            else
            {
                var store = _kernels.Add(StepCopy("LoopStackOut", $"one step stored into %{GraphText.Id(r, _kernels.Ids)} along axis {scan.Selection.Axis}", steps, inner, store: true));
                w.Line($"{store.Field}(__s, ({before}) * ({inner}), n, {t}, {value}, {outer(r)});");
            }
        }
        for (int i = 0; i < body.Carries.Count; i++)
        {
            string next = Inner(k.BodyValue(body.CarriesOut[i]));
            if (Place(next) != Place(Carry(i))) w.Line($"__k.Copy(__s, {next}, {Carry(i)});");
        }
        w.Close();
        foreach (var r in k.Results)
            if (((ScanOp)r.Op).Selection is { IsFinal: true } final)
                w.Line($"__k.Copy(__s, {Carry(final.Index)}, {outer(r)});");
    }

    /// <summary>
    /// A strided per-step copy between a sequence [before, steps, inner] and one step of it [before, inner],
    /// one thread per float of the step: in (<paramref name="store"/> false) reads step t of x0 into y, out
    /// writes x0 into step t of y. The step is an argument, so one kernel serves every step.
    /// </summary>
    private static GpuKernelCode StepCopy(string name, string summary, int steps, string inner, bool store)
    {
        string sequence = $"(o * {steps} + t) * ({inner}) + r";
        return new GpuKernelCode(name, summary,
            new[] { "int t", GpuEmitter.FloatView + " x0", GpuEmitter.FloatView + " y" },
            new[]
            {
                $"int i = index, o = i / ({inner}), r = i - o * ({inner});",
                store ? $"y[{sequence}] = x0[i];" : $"y[i] = x0[{sequence}];",
            });
    }
}
