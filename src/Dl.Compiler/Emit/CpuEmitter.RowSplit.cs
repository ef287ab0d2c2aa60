using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>The part of a loop split over the batch's rows that a generated method runs: rows [From, To), Count of them (local names).</summary>
internal sealed record RowPart(string From, string To, string Count);

/// <summary>
/// A loop whose every step is row-local in the batch runs split over the batch's rows: each part runs
/// all the steps on its rows [from, to), so the cores meet once per loop instead of at every product of
/// every step (an LSTM's 28 recurrent products, each cut in two, with the gate kernels on one core
/// between them). Row-local: each kernel of the step computes row i of its outputs from row i of its
/// batch-shaped inputs and from batch-free values (weights) alone: a product whose left operand holds
/// the batch's rows and whose right operand is batch-free, an elementwise group over batch-leading
/// values with batch-free broadcasts, a slice or concatenation along a feature axis; every batch-shaped
/// value has the batch as its leading axis (once), nothing sums over the batch, and no random number is
/// drawn (dropout's stream would depend on the cut). Any other loop is written as it always was.
/// The loop becomes a method of the model (n, from, to), called through <c>Dl.RowSplit.Run</c> with a
/// delegate made once per model instance: every batch-shaped span its kernels see is the part's rows of
/// the step's whole-batch view (strides still from n), kernels get the part's row count, and per-sample
/// copies loop over the part's samples.
/// </summary>
public static partial class CpuEmitter
{
    /// <summary>
    /// The loop's multiply-adds per sample over all its steps (an estimate: products count k·n per row,
    /// elementwise and copies one per element), or null when the loop is not row-local (see the class
    /// summary) or reads an entry point's input in place (a user's span, which the loop's method cannot see).
    /// </summary>
    internal static long? RowLocalWork(LoopKernel k, Func<Node, Location> locationOf)
    {
        var loop = k.Loop;
        var body = loop.Body;
        if (k.Inputs.Any(i => locationOf(i) is InputLocation)) return null;
        if (!body.Carries.All(c => Leading(c.Shape)) || !body.Slices.All(s => Leading(s.Shape))) return null;
        for (int j = 0; j < body.Slices.Count; j++)
            if (k.SliceBuffers[j] is not null && Sizes.Around(k.Inputs[body.Carries.Count + j].Shape, loop.SliceAxes[j]).Before != Sizes.Batch) return null;
        foreach (var r in k.Results)
        {
            var scan = (ScanOp)r.Op;
            if (scan.StackedNode is not { } stacked) continue;
            if (!Leading(k.BodyValue(stacked).Shape) || Sizes.Around(r.Shape, scan.Selection.Axis).Before is not ("1" or Sizes.Batch)) return null;
        }
        long work = 0;
        foreach (var kernel in k.Step.Kernels)
        {
            if (!kernel.Reads.Concat(kernel.Writes).All(n => Leading(n.Shape) || n.Shape.BatchRank == 0)) return null;
            switch (kernel)
            {
                case GemmKernel gk when !gk.TransA && Leading(gk.A.Shape) && gk.B.Shape.BatchRank == 0 && Leading(gk.Output.Shape)
                    && (gk.ReluMask is null || Leading(gk.ReluMask.Shape)):
                    work += gk.A.Shape.StaticCount * gk.Output.Shape[gk.Output.Shape.Rank - 1].Size;
                    break;
                case ElementwiseKernel e when Leading(e.Output.Shape) && (e.Into is null || Leading(e.Into.Shape))
                    && e.Leaves.All(l => BatchFreeOrLeading(l.Leaf) && BatchFreeOrLeading(l.Operand)) && !e.Body.Any(n => n.Op is DropoutMaskOp or RandomNormalOp):
                    work += e.Output.Shape.StaticCount;
                    break;
                case SingleKernel { Node: var n } when n.Op is ConcatOp { Axis: > 0 } or SliceOp { Axis: > 0 } && Leading(n.Shape) && n.Inputs.All(i => Leading(i.Shape)):
                    work += n.Shape.StaticCount;
                    break;
                default:
                    return null;
            }
        }
        return work * loop.Length;

        // The batch once, as the leading axis: rows of the batch are contiguous blocks.
        static bool Leading(Shape s) => s.Rank > 0 && s[0].IsBatch && s.BatchRank == 1;
        static bool BatchFreeOrLeading(Node n) => n.Shape.BatchRank == 0 || Leading(n.Shape);
    }

    /// <summary>
    /// Writes the loop as a method of the model over rows [from, to) (with the delegate that calls it,
    /// made on first use) among <see cref="KernelTable.Members"/>, and here the call that runs it in parts.
    /// <paramref name="outerIn"/> names the entry point's storage in a method's own set of locals.
    /// </summary>
    private static void RowSplitLoop(SourceWriter w, LoopKernel k, Func<EntryStorage, Func<Node, string>> outerIn, EntryStorage names,
        IReadOnlyList<long> scratchAt, KernelTable kernels, GeneratedNames g, long work)
    {
        var members = kernels.Members!;
        string id = (kernels.RowLoops++).ToString(CultureInfo.InvariantCulture);
        string method = g["__RowLoop" + id], field = g["__rowLoop" + id];
        var part = new RowPart(g["__from"], g["__to"], g["__rows"]);

        members.Line();
        members.Line($"/// <summary>A loop's steps on rows [{part.From}, {part.To}) of a batch of {g["__n"]} (each row's values depend on its own rows alone): run in parts by global::Dl.RowSplit.Run.</summary>");
        members.Open($"private void {method}(int {g["__n"]}, int {part.From}, int {part.To})");
        members.Line($"global::System.Span<float> {g["__arena"]} = this.{g["__arena"]}.Span;");
        members.Line($"int {part.Count} = {part.To} - {part.From};");
        var storage = names.Fresh();
        var body = members.Nested();
        Loop(body, k, outerIn(storage), storage, scratchAt, kernels, g, depth: 0, part);
        storage.Declare(members);
        members.Append(body);
        members.Close();
        members.Line($"private global::System.Action<int, int, int>? {field};");

        w.Line($"// A loop of {k.Loop.Length} steps split over the batch's rows ({string.Join(", ", k.Results.Select(r => "%" + GraphText.Id(r, kernels.Ids)))}): {method}.");
        w.Line($"global::Dl.RowSplit.Run(this.{field} ??= new global::System.Action<int, int, int>(this.{method}), {g["__n"]}, {work.ToString(CultureInfo.InvariantCulture)}L);");
    }
}
