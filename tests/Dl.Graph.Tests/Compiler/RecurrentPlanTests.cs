using System;
using System.Linq;
using System.Text.RegularExpressions;
using Dl.Compiler;
using Dl.Graph;

namespace Dl.Graph.Tests.Compiler;

/// <summary>What the compiler makes of an LSTM's train step: no weight copies, and no per-step copies of what a step can write or read in place.</summary>
public class RecurrentPlanTests
{
    private const int Steps = 5, Hidden = 4;

    private static ModelGraph Lstm()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(Steps), Dim.Of(3)));
        var y = g.Input("label", new Shape(Dim.Batch), DType.Int32);
        var layer = Layers.Lstm(g, "lstm", x, 3, Hidden);
        var last = g.Reshape(layer.FinalHidden, new Shape(Dim.Batch, Dim.Of(Hidden)));
        var o = Layers.Dense(g, "head", last, Hidden, 2);
        return new ModelGraph("Seq", g, new[] { x, y }, o, g.SoftmaxCrossEntropy(o, y), forwardInputCount: 1);
    }

    private static bool IsTransposeKernel(Kernel k) => k is SingleKernel { Node.Op: TransposeOp };

    [Fact]
    public void TheOnlyTransposeOfATrainStep_IsTheInputMadeTimeMajor()
    {
        var plan = ModelCompiler.Compile(Lstm());
        var e = plan.Gradients!;
        // W_hh is read by the step's GEMMs through a flag, and both weight gradients are products into the
        // weights' own [G·H, in] layout: no transpose of a weight before the loop or of a gradient after it.
        var transpose = Assert.Single(e.Kernels, IsTransposeKernel);
        Assert.Equal(new[] { 1, 0, 2 }, ((TransposeOp)((SingleKernel)transpose).Node.Op).Perm);
        var loops = e.Kernels.OfType<LoopKernel>().ToList();
        Assert.Equal(2, loops.Count);   // forward and backward
        Assert.All(loops, l => Assert.DoesNotContain(l.Step.Kernels, IsTransposeKernel));
        // The projected inputs are time-major: the forward loop reads each step's slice in place. The model
        // reads only the last hidden state, so its gradient enters the backward loop as the initial carry's
        // cotangent: no batch-first output gradient [N, T, H] is gathered row by row at each step.
        Assert.All(loops[0].SliceBuffers, b => Assert.Null(b));
        Assert.All(loops[1].SliceBuffers, b => Assert.Null(b));
    }

    [Fact]
    public void TheForwardStep_IsOneGemmAndTwoElementwiseLoops_ReadingEachGatesSliceInPlace_AndStoringTheGatesTheBackwardReads()
    {
        var plan = ModelCompiler.Compile(Lstm());
        var forward = plan.Gradients!.Kernels.OfType<LoopKernel>().First().Step;
        // One recurrent GEMM, then c' and h' (each loop with one chain of transcendentals): no slice copies,
        // no [N, 4H] sum, and no loop of its own for a gate or tanh(c') that the backward step keeps.
        Assert.Single(forward.Kernels, k => k is GemmKernel);
        Assert.DoesNotContain(forward.Kernels, k => k is SingleKernel);
        var cell = forward.Kernels.OfType<ElementwiseKernel>().ToList();
        Assert.Equal(2, cell.Count);
        // Together they read a window of the step's projected input and of the GEMM's output at each gate's offset.
        var windows = cell.SelectMany(k => k.Leaves).Where(l => l.Access == Access.Window).ToList();
        Assert.Equal(8, windows.Count);
        Assert.Equal(new long[] { 0, 0, Hidden, Hidden, 2 * Hidden, 2 * Hidden, 3 * Hidden, 3 * Hidden }, windows.Select(w => w.Offset).OrderBy(o => o).ToArray());
        Assert.All(windows, l => Assert.Equal(4 * Hidden, l.Stride));
        // The three sigmoid gates and the tanh candidate are residuals: the loops store them as they go.
        var extras = cell.SelectMany(k => k.ExtraOutputs).ToList();
        Assert.Equal(3, extras.Count(e => e.Op is SigmoidOp));
        Assert.Contains(extras, e => e.Op is TanhOp);
        Assert.All(cell, k => Assert.All(k.ExtraOutputs, e => Assert.Contains(e, k.Writes)));
    }

    [Fact]
    public void TheInferenceStep_KeepsCAndHInTwoLoops()
    {
        // c' is a carry and tanh(c') follows it: as an extra output of h's loop it would make one long chain.
        var forward = ModelCompiler.Compile(Lstm()).Predict.Kernels.OfType<LoopKernel>().First().Step;
        var cell = forward.Kernels.OfType<ElementwiseKernel>().ToList();
        Assert.Equal(2, cell.Count);
        Assert.All(cell, k => Assert.Empty(k.ExtraOutputs));
    }

    [Fact]
    public void TheBackwardStep_WritesEachGateGradientAtItsPlaceInTheStackedRow_NoConcatCopy()
    {
        var plan = ModelCompiler.Compile(Lstm());
        var backward = plan.Gradients!.Kernels.OfType<LoopKernel>().Last().Step;
        Assert.DoesNotContain(backward.Kernels, k => k is SingleKernel { Node.Op: ConcatOp });
        var pieces = backward.Kernels.OfType<ElementwiseKernel>().Where(k => k.Into is not null).ToList();
        Assert.Equal(4, pieces.Count);
        Assert.Single(pieces.Select(p => p.Into).Distinct());
        Assert.Equal(new long[] { 0, Hidden, 2 * Hidden, 3 * Hidden }, pieces.Select(p => p.IntoOffset).OrderBy(o => o).ToArray());
        Assert.All(pieces, p => Assert.Equal(4 * Hidden, p.IntoStride));
    }

    [Fact]
    public void ResidualsStackedAlongTime_AreWrittenInPlaceByTheirKernels()
    {
        var plan = ModelCompiler.Compile(Lstm());
        string code = CpuEmitter.Emit(plan, new ModelDeclaration(null, "Seq", "internal", Array.Empty<string>()));
        var gradients = code.Substring(code.IndexOf("public float ComputeGradients", StringComparison.Ordinal));
        gradients = gradients.Substring(0, gradients.IndexOf("return ", StringComparison.Ordinal));
        // A loop split over the batch's rows (Dl.RowSplit) is a method of its own: its text follows.
        foreach (Match m in Regex.Matches(gradients, @"new global::System\.Action<int, int, int>\(this\.(__RowLoop\d+)\)"))
        {
            int at = code.IndexOf($"private void {m.Groups[1].Value}(", StringComparison.Ordinal);
            Assert.True(at >= 0, m.Groups[1].Value);
            gradients += code[at..code.IndexOf("\n    }\n", at, StringComparison.Ordinal)];
        }
        // Inside the loops nothing is copied. The forward loop's kernels write the new h and c at the next
        // place of the stacks of carried-in h and c that the backward loop reads (no copy into the stack and
        // another into the carry); the backward loop's kernels write its two carries over the old ones, read
        // by earlier kernels of the step. The model reads only the last hidden state: it is the final carry,
        // so no step copies h into a batch-first output, and no step gathers that output's gradient.
        var bodies = Regex.Matches(gradients, @"for \(int __t0[^\n]*\n\s*\{(?<body>.*?)\n\s*\}", RegexOptions.Singleline);
        Assert.True(2 == bodies.Count, gradients);
        int Copies(string s) => Regex.Matches(s, @"\.CopyTo\(").Count;
        Assert.True(0 == Copies(bodies[0].Groups["body"].Value), bodies[0].Groups["body"].Value);
        Assert.True(0 == Copies(bodies[1].Groups["body"].Value), bodies[1].Groups["body"].Value);
        // The new c of the forward step goes where the next step reads it: the stack's next place, or the
        // carry after the last step.
        Assert.Contains($"(__t0 != {Steps - 1} ? ", bodies[0].Groups["body"].Value);
    }
}
