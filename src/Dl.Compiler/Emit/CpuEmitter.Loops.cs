using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// A loop kernel in an entry point: one <c>for</c> over the steps, whatever their number, around the
/// calls of the body's own (fused, planned) kernels. Before the loop the carries are copied into their
/// buffers; each step copies its slices in (a leading loop axis is read in place), runs the body
/// (whose values stacked along a leading axis are written in place by their kernels),
/// stores the stacked values at the step's place (the residuals the backward loop reads among them),
/// then hands the new carries on, unless a kernel already wrote them where the next step reads them
/// (a carry stacked as received lives in its stack; see below). The final carries are copied out after the last step.
/// </summary>
public static partial class CpuEmitter
{
    private static void Loop(SourceWriter w, LoopKernel k, Func<Node, string> outer, EntryStorage names, IReadOnlyList<long> scratchAt,
        KernelTable kernels, GeneratedNames g, int depth, RowPart? part = null)
    {
        var loop = k.Loop;
        var body = loop.Body;
        string n = g["__n"], t = g["__t" + depth], o = g["__o" + depth];
        int steps = loop.Length;
        ArenaLocation InScratch(ArenaLocation a) => new(a.Offset + (a.BatchPower < scratchAt.Count ? scratchAt[a.BatchPower] : 0), a.BatchPower);
        // The step's working memory is at the same place every step: named locals like the entry point's own.
        string Scratch(Location at, Node node) => names.Of(node, at, At(at, node, g));

        // A value the body computes and a result stacks at a contiguous place per step (a leading loop
        // axis: the residuals the backward loop reads) is written there by its kernel, not copied.
        var stackedInPlace = new Dictionary<Node, Node>();
        foreach (var r in k.Results)
        {
            if (((ScanOp)r.Op).StackedNode is not { } stacked || Sizes.Around(r.Shape, ((ScanOp)r.Op).Selection.Axis, n).Before != "1") continue;
            var value = k.BodyValue(stacked);
            if (MemoryPlanner.Base(value) == value && k.Step.Locations.ContainsKey(value) && value.Op is not (LoopSlotOp or ConstantOp))
                if (!stackedInPlace.ContainsKey(value)) stackedInPlace[value] = r;
        }

        // A carry that a result stacks as each step receives it (a residual of the backward loop: h and c
        // before the step) lives in that stack between steps: step t reads it at place t, and the step hands
        // its new value on to place t + 1 (the carry's own buffer after the last step), so the value is
        // written once instead of copied into the stack and again into the carry.
        var carryStacks = new Node?[body.Carries.Count];
        foreach (var r in k.Results)
            if (((ScanOp)r.Op).StackedNode is { Op: LoopSlotOp { Kind: LoopSlotKind.Carry } slotOp } && Sizes.Around(r.Shape, ((ScanOp)r.Op).Selection.Axis, n).Before == "1")
                carryStacks[slotOp.Index] ??= r;
        string CarryAt(int i, string step)
        {
            string count = Sizes.Count(body.Carries[i].Shape, n);
            return $"{outer(carryStacks[i]!)}.Slice({step} * {count}, {count})";
        }

        // A step's new carry is written by its kernel where the next step reads it, not copied there at the
        // end of the step: at the stack's next place for a carry that lives in its stack, else in the
        // carry's buffer once every read of the old value is done (a kernel earlier in the step).
        int first = loop.Reverse ? steps - 1 : 0, last = loop.Reverse ? 0 : steps - 1;
        var carryOutAt = new Dictionary<Node, string>();
        var writtenInPlace = new bool[body.Carries.Count];
        for (int i = 0; i < body.Carries.Count; i++)
        {
            var value = k.BodyValue(body.CarriesOut[i]);
            if (MemoryPlanner.Base(value) != value || !k.Step.Locations.ContainsKey(value) || value.Op is LoopSlotOp or ConstantOp
                || stackedInPlace.ContainsKey(value) || carryOutAt.ContainsKey(value)) continue;
            if (carryStacks[i] is not null)
                carryOutAt[value] = steps == 1 ? Carry(i) : $"({t} != {last} ? {CarryAt(i, $"({t} {(loop.Reverse ? "-" : "+")} 1)")} : {Carry(i)})";
            else if (ReadBeforeWritten(k.Step.Kernels, k.BodyValue(body.Carries[i]), value) && !StacksAfterTheStep(i))
                carryOutAt[value] = Carry(i);
            else continue;
            writtenInPlace[i] = true;
        }

        // A result that stacks the carry as the step received it copies it after the step's kernels: the
        // carry must then still hold the old value.
        bool StacksAfterTheStep(int i) => k.Results.Any(r => ((ScanOp)r.Op).StackedNode is { } s
            && MemoryPlanner.Base(k.BodyValue(s)) == MemoryPlanner.Base(k.BodyValue(body.Carries[i])));

        string Inner(Node node)
        {
            var b = MemoryPlanner.Base(node);
            if (carryOutAt.TryGetValue(b, out var carryOut)) return carryOut;
            if (stackedInPlace.TryGetValue(b, out var stackedResult))
            {
                string count = Sizes.Count(b.Shape, n);
                return $"{outer(stackedResult)}.Slice({t} * {count}, {count})";
            }
            if (b.Op is LoopSlotOp slot)
            {
                string count = Sizes.Count(node.Shape, n);
                return slot.Kind switch
                {
                    LoopSlotKind.Carry => carryStacks[slot.Index] is not null ? CarryAt(slot.Index, t) : Scratch(InScratch(k.CarryBuffers[slot.Index]), node),
                    LoopSlotKind.Capture => outer(k.Inputs[body.InputIndexOf(slot)]),
                    _ => k.SliceBuffers[slot.Index] is { } buffer ? Scratch(InScratch(buffer), node)
                        : $"{outer(k.Inputs[body.InputIndexOf(slot)])}.Slice({t} * {count}, {count})",
                };
            }
            var location = k.Step.Locations.TryGetValue(node, out var l) ? l : k.Step.Locations[b];
            return Scratch(location is ArenaLocation a ? InScratch(a) : location, node);
        }
        string Carry(int i) => Scratch(InScratch(k.CarryBuffers[i]), body.Carries[i]);
        // In a part of a loop split over the batch's rows (CpuEmitter.RowSplit.cs): a batch-shaped value's rows [from, to).
        string Rows(string span, Node node) => part is null || node.Shape.BatchRank == 0 ? span
            : $"{span}.Slice({part.From} * {Sizes.Lit(node.Shape.StaticCount)}, {part.Count} * {Sizes.Lit(node.Shape.StaticCount)})";
        // A loop over the samples: all of them, or the part's rows.
        string Samples(string before) => part is null ? $"int {o} = 0; {o} < {before}; {o}++" : $"int {o} = {part.From}; {o} < {part.To}; {o}++";

        w.Line($"// A loop of {steps} steps{(loop.Reverse ? ", last step first" : "")}: {string.Join(", ", k.Results.Select(r => $"%{GraphText.Id(r, kernels.Ids)} ({((ScanOp)r.Op).Selection})"))}.");
        for (int i = 0; i < body.Carries.Count; i++)
            w.Line($"{Rows(outer(k.Inputs[i]), body.Carries[i])}.CopyTo({Rows(carryStacks[i] is not null ? CarryAt(i, first.ToString(System.Globalization.CultureInfo.InvariantCulture)) : Carry(i), body.Carries[i])});");
        w.Open(loop.Reverse ? $"for (int {t} = {steps - 1}; {t} >= 0; {t}--)" : $"for (int {t} = 0; {t} < {steps}; {t}++)");
        for (int j = 0; j < body.Slices.Count; j++)
        {
            if (k.SliceBuffers[j] is null) continue;
            var xs = k.Inputs[body.Carries.Count + j];
            var (before, inner) = Sizes.Around(xs.Shape, loop.SliceAxes[j], n);
            w.Line($"for ({Samples(before)}) {outer(xs)}.Slice(({o} * {steps} + {t}) * {inner}, {inner}).CopyTo({Inner(body.Slices[j])}.Slice({o} * {inner}, {inner}));");
        }
        Calls(w, k.Step, node => Rows(Inner(node), node), p => throw new InvalidOperationException($"a loop body has no parameter ({p})"), names, scratchAt, kernels, g, depth + 1,
            batch: part?.Count);
        foreach (var r in k.Results)
        {
            var scan = (ScanOp)r.Op;
            if (scan.StackedNode is not { } stacked) continue;
            var bodyValue = k.BodyValue(stacked);
            if (stackedInPlace.TryGetValue(bodyValue, out var writer) && writer == r) continue;
            if (stacked.Op is LoopSlotOp { Kind: LoopSlotKind.Carry } carried && carryStacks[carried.Index] == r) continue;
            string value = Inner(bodyValue);
            var (before, inner) = Sizes.Around(r.Shape, scan.Selection.Axis, n);
            if (before == "1") w.Line($"{Rows(value, bodyValue)}.CopyTo({Rows($"{outer(r)}.Slice({t} * {inner}, {inner})", bodyValue)});");
            else w.Line($"for ({Samples(before)}) {value}.Slice({o} * {inner}, {inner}).CopyTo({outer(r)}.Slice(({o} * {steps} + {t}) * {inner}, {inner}));");
        }
        for (int i = 0; i < body.Carries.Count; i++)
        {
            var nextValue = k.BodyValue(body.CarriesOut[i]);
            string next = Inner(nextValue);
            if (writtenInPlace[i]) continue;
            var c = body.Carries[i];
            if (carryStacks[i] is not null)
                w.Line(steps == 1 ? $"{Rows(next, c)}.CopyTo({Rows(Carry(i), c)});"
                    : $"if ({t} != {last}) {Rows(next, c)}.CopyTo({Rows(CarryAt(i, $"({t} {(loop.Reverse ? "-" : "+")} 1)"), c)}); else {Rows(next, c)}.CopyTo({Rows(Carry(i), c)});");
            else if (next != Carry(i)) w.Line($"{Rows(next, c)}.CopyTo({Rows(Carry(i), c)});");
        }
        w.Close();
        foreach (var r in k.Results)
            if (((ScanOp)r.Op).Selection is { IsFinal: true } final)
                w.Line($"{Rows(Carry(final.Index), body.Carries[final.Index])}.CopyTo({Rows(outer(r), body.Carries[final.Index])});");
    }

    /// <summary>
    /// Whether every kernel of the step that reads the carry <paramref name="slot"/> runs before the one
    /// that writes <paramref name="value"/> (or is that one, reading element for element): the value may
    /// then be written over the carry itself.
    /// </summary>
    private static bool ReadBeforeWritten(IReadOnlyList<Kernel> kernels, Node slot, Node value)
    {
        int writer = -1;
        for (int x = 0; x < kernels.Count && writer < 0; x++)
            if (kernels[x].Writes.Any(v => MemoryPlanner.Base(v) == value)) writer = x;
        if (writer < 0) return false;
        for (int x = writer; x < kernels.Count; x++)
            if (kernels[x].Reads.Any(r => MemoryPlanner.Base(r) == slot) && !(x == writer && ReadsOnlyItsOwnElement(kernels[x], slot))) return false;
        return true;
    }

    /// <summary>
    /// An elementwise kernel that reads <paramref name="slot"/> only element for element with its output
    /// (same shape, full access): each vector is loaded before its result is stored, so the output may
    /// overwrite the slot (an LSTM's new c over the old one in inference, where the cell update is one kernel).
    /// </summary>
    private static bool ReadsOnlyItsOwnElement(Kernel kernel, Node slot) =>
        kernel is ElementwiseKernel { Into: null } e
        && e.Leaves.Where(l => MemoryPlanner.Base(l.Leaf) == slot).All(l => l.Access == Access.Full && l.Through is null && l.Leaf.Shape.Equals(e.Output.Shape));
}
