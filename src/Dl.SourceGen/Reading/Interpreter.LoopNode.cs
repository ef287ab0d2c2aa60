using System.Collections.Generic;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>Where the reader stood when a loop step began: ops, variables, element writes and arrays made so far.</summary>
internal readonly record struct StepMark(int Start, Dictionary<ISymbol, Value> Variables, int Writes, int Arrays);

/// <summary>Matching the first two traced steps of a loop and turning them into a loop node (see Interpreter.Loops.cs).</summary>
internal sealed partial class Interpreter
{
    /// <summary>
    /// After the first two steps were traced (ops [start0, start1) and [start1, end1), the variables before
    /// each step and after the second): turns the loop into a loop node when the steps match.
    /// </summary>
    private bool TryLowerLoop(IForLoopOperation loop, Frame frame, LoopPlan plan, StepMark[] marks)
    {
        int start0 = marks[0].Start, start1 = marks[1].Start;
        var (before, after0, after1) = (marks[0].Variables, marks[1].Variables, marks[2].Variables);
        // The first step also made the parameters it read first (Param fields become ops when first read);
        // the second reads the same ones. Apart from those, the steps must match op for op.
        int length = start1 - start0, end1 = _ops.Count;
        var first = Enumerable.Range(start0, length).Where(i => _ops[i].Op != Dl.Graph.OpTable.Param).ToList();
        var second = Enumerable.Range(start1, end1 - start1).ToList();
        if (first.Count == 0 || first.Count != second.Count) return false;
        var twin = new Dictionary<int, int>(); // an op of the first step -> the same op in the second
        for (int k = 0; k < first.Count; k++) twin[first[k]] = second[k];

        // The carried variables: tensors the step replaces with a value it computes.
        var carries = new List<(ISymbol Symbol, int Init, int Out)>();
        foreach (var kv in before)
        {
            if (plan.LoopVariables.Contains(kv.Key)) continue;
            if (!after0.TryGetValue(kv.Key, out var v0) || !after1.TryGetValue(kv.Key, out var v1)) return false;
            if (Same(kv.Value, v0) && Same(v0, v1)) continue;
            if (kv.Value is TensorValue init && v0 is TensorValue o0 && v1 is TensorValue o1
                && twin.TryGetValue(o0.Op, out var next) && next == o1.Op)
                carries.Add((kv.Key, init.Op, o0.Op));
            else return false;
        }
        // The per-step outputs: tensors the step computes and writes to an element of an array made before the loop.
        var outputs = new List<int>();
        var written = new List<(ArrayValue Array, IndexSite Site, int Output)>();
        if (!MatchWrites(plan, marks, twin, outputs, written)) return false;
        if (carries.Count == 0 && outputs.Count == 0) return false;

        // The two steps op by op; where the first step reads a carry's initial value, the loop reads the carry.
        var carryUses = new List<(int Op, int Operand, int Carry)>();
        var slices = new List<(int Op, int First, int Stride)>();
        var sliced = new HashSet<LocationInfo>();
        foreach (var at in first)
        {
            var (o0, o1) = (_ops[at], _ops[twin[at]]);
            if (o0.Op is Dl.Graph.OpTable.Input or Dl.Graph.OpTable.LabelsInput or Dl.Graph.OpTable.InputLike or Dl.Graph.OpTable.LabelsLike
                || (o0.Op != OpSpec.LoopOp && Dl.Graph.OpTable.Get(o0.Op).DependsOnMode))
                return false; // inputs, and layers that behave differently in training, stay unrolled
            if (SliceSite(o0, plan) is { } site)
            {
                // The step's entry of a sequence: a slice of the loop (each site once a step).
                if (!sliced.Add(o0.Location) || !IsStepSlice(o0, o1, site, start0)) return false;
                slices.Add((at - start0, site.Indices[0], site.Stride));
                continue;
            }
            if (o0.Inputs.Count != o1.Inputs.Count || o0 with { Inputs = EquatableArray<int>.Empty } != o1 with { Inputs = EquatableArray<int>.Empty })
                return false;
            for (int j = 0; j < o0.Inputs.Count; j++)
            {
                int i0 = o0.Inputs[j], i1 = o1.Inputs[j];
                if (i0 >= start0 && i0 < start1)
                {
                    if (twin.TryGetValue(i0, out var same) ? same == i1 : i1 == i0) continue; // inside the step, or a parameter it made
                    return false;
                }
                if (i1 == i0) continue;
                int carry = carries.FindIndex(c => c.Init == i0 && c.Out == i1);
                if (carry < 0) return false;
                carryUses.Add((at - start0, j, carry));
            }
        }

        _ops.RemoveRange(start1, end1 - start1);
        // The loop runs the way its first slice walks its sequence (a slice walking the other way reads it reversed).
        bool reverse = slices.Count > 0 && slices[0].Stride < 0;
        var layout = new LoopLayout(plan.Steps, start0, length, reverse, carries.Select(c => c.Out - start0).ToList(), carryUses, slices, outputs);
        var lowered = new LoweredLoop(layout, carries.Select(x => x.Init).ToEquatableArray(), KeywordLocation(loop.Syntax), frame.Context, frame.CallSite);
        foreach (var v in plan.LoopVariables)
            if (plan.Final.TryGetValue(v, out var value)) frame.Variables[v] = value;
        for (int c = 0; c < carries.Count; c++)
            frame.Variables[carries[c].Symbol] = new TensorValue(EmitLoopResult(lowered, LoopResultKind.Final, c, 0, frame));
        // Each element written holds its step of the output (in the loop's time order, which runs backwards in a reverse loop).
        foreach (var (array, site, output) in written)
            for (int s = 0; s < plan.Steps; s++)
                array.Set(site.Indices[s], new LoopStepValue(lowered, output, reverse ? plan.Steps - 1 - s : s));
        return true;
    }

    /// <summary>
    /// Pairs the element writes of the two steps: each to an array made before the loop, at an index site
    /// (a different element every step), of a value the step computes. Arrays a step makes are its own.
    /// </summary>
    private bool MatchWrites(LoopPlan plan, StepMark[] marks, Dictionary<int, int> twin, List<int> outputs, List<(ArrayValue, IndexSite, int)> written)
    {
        List<ElementWrite> Outer(int from, int to) => _writes.Skip(from).Take(to - from).Where(w => w.Array.Serial <= marks[0].Arrays).ToList();
        var (w0, w1) = (Outer(marks[0].Writes, marks[1].Writes), Outer(marks[1].Writes, marks[2].Writes));
        if (w0.Count != w1.Count) return false;
        var taken = new Dictionary<ArrayValue, HashSet<int>>();
        for (int k = 0; k < w0.Count; k++)
        {
            var (a, b) = (w0[k], w1[k]);
            if (a.At != b.At || a.Array != b.Array || !plan.Sites.TryGetValue(a.At, out var site) || site.Kind != IndexSiteKind.ElementWrite)
                return false;
            if (a.Index != site.Indices[0] || b.Index != site.Indices[1]) return false;
            if (a.Value is not TensorValue v0 || b.Value is not TensorValue v1 || !twin.TryGetValue(v0.Op, out var next) || next != v1.Op)
                return false; // a value from before the step or a carry's incoming value: unrolled
            if (!taken.TryGetValue(a.Array, out var used)) taken[a.Array] = used = new HashSet<int>();
            foreach (int i in site.Indices)
                if (i < 0 || i >= a.Array.Items.Count || !used.Add(i)) return false; // unrolling reports an index outside the array
            int offset = v0.Op - marks[0].Start, output = outputs.IndexOf(offset);
            if (output < 0) { outputs.Add(offset); output = outputs.Count - 1; }
            written.Add((a.Array, site, output));
        }
        return true;
    }

    /// <summary>The index site an op was traced at, when it is a Select or Slice by the step index.</summary>
    private static IndexSite? SliceSite(OpSpec op, LoopPlan plan) =>
        plan.Sites.TryGetValue(op.Location, out var site) && op.Op == site.Kind switch
        {
            IndexSiteKind.Select => "Select",
            IndexSiteKind.Slice => "Slice",
            _ => null,
        } ? site : null;

    /// <summary>
    /// Whether a site's op in the two steps reads entries <c>Indices[0]</c> and <c>Indices[1]</c> (one entry, for
    /// a Slice) of the same sequence, made before the loop, and is otherwise the same op.
    /// </summary>
    private bool IsStepSlice(OpSpec o0, OpSpec o1, IndexSite site, int start0)
    {
        if (o0.Inputs.Count != 1 || o1.Inputs.Count != 1 || o0.Inputs[0] != o1.Inputs[0] || o0.Ints.Count < 2 || o1.Ints.Count != o0.Ints.Count)
            return false;
        int sequence = o0.Inputs[0];
        if (sequence >= start0 && _ops[sequence].Op != Dl.Graph.OpTable.Param) return false; // computed in the step: not a sequence of the loop
        if (o0.Ints[1] != site.Indices[0] || o1.Ints[1] != site.Indices[1]) return false;
        if (site.Kind == IndexSiteKind.Slice && (o0.Ints.Count != 3 || o0.Ints[2] != 1)) return false;
        static OpSpec Common(OpSpec o) => o with { Inputs = EquatableArray<int>.Empty, Ints = o.Ints.Select((v, k) => k == 1 ? 0 : v).ToEquatableArray() };
        return Common(o0) == Common(o1);
    }
}
