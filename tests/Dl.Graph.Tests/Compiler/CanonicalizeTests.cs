using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests.Compiler;

/// <summary>
/// Canonicalisation before fusion: multiplications by a constant become Scale, nested Scales and
/// double negations collapse, so fusion sees one normal form. The case that motivated it: a scaled
/// loss (<c>0.5f * CrossEntropy(...)</c>) kept its loss but lost the fused softmax-cross-entropy
/// gradient, because fusion matches the gradient by the exact shape of its VJP.
/// </summary>
public class CanonicalizeTests
{
    private static string[] Simplified(Func<GraphBuilder, Node, Node> build)
    {
        var g = new GraphBuilder();
        var y = build(g, g.Input("x", S("N,3")));
        var clean = new GraphBuilder();
        var z = Simplify.Run(clean, new[] { y })[y];
        return GraphBuilder.Topological(new[] { z }).Select(n => n.Op.Key).ToArray();
    }

    [Fact]
    public void Mul_by_a_constant_is_a_Scale_either_side() 
    {
        Assert.Equal(new[] { "Input{x [N,3]}", "Scale{0.5}" }, Simplified((g, x) => g.Mul(x, g.Constant(0.5))));
        Assert.Equal(new[] { "Input{x [N,3]}", "Scale{0.5}" }, Simplified((g, x) => g.Mul(g.Constant(0.5), x)));
        // A constant that broadcasts the other operand to a larger shape is not a Scale of it.
        Assert.Contains("Mul", Simplified((g, x) => g.Mul(g.Sum(x), g.Constant(0.5, S("2,2")))));
    }

    [Fact]
    public void Nested_scales_are_one_and_a_scale_by_one_disappears()
    {
        Assert.Equal(new[] { "Input{x [N,3]}", "Scale{3 N^-1}" }, Simplified((g, x) => g.Scale(g.Mul(g.Constant(2), g.Scale(x, 1.5)), 1, -1)));
        Assert.Equal(new[] { "Input{x [N,3]}" }, Simplified((g, x) => g.Mul(g.Scale(x, 2), g.Constant(0.5))));
        Assert.Equal(new[] { "Input{x [N,3]}" }, Simplified((g, x) => g.Apply(new ScaleOp(1, 0), x)));
    }

    [Fact]
    public void Negations_fold_into_scales_and_cancel()
    {
        Assert.Equal(new[] { "Input{x [N,3]}", "Tanh" }, Simplified((g, x) => g.Neg(g.Neg(g.Tanh(x)))));
        Assert.Equal(new[] { "Input{x [N,3]}", "Scale{-2}" }, Simplified((g, x) => g.Neg(g.Scale(x, 2))));
        Assert.Equal(new[] { "Input{x [N,3]}", "Scale{-2}" }, Simplified((g, x) => g.Scale(g.Neg(x), 2)));
        Assert.Equal(new[] { "Input{x [N,3]}" }, Simplified((g, x) => g.Neg(g.Scale(g.Neg(x), 1))));
    }

    [Fact]
    public void The_sum_of_the_gradients_of_disjoint_slices_is_one_concat_and_keeps_its_values()
    {
        // What the VJP of four gate slices gives: each gate's gradient padded with zeros to [N, 8], summed.
        Node Gates(GraphBuilder g, Node x)
        {
            var all = g.Concat(new[] { x, g.Tanh(x), g.Sigmoid(x), g.Neg(x) }, 1);   // [N, 8], gates of 2
            var loss = g.Sum(g.Mul(g.Mul(g.Slice(all, 1, 0, 2), g.Slice(all, 1, 2, 2)), g.Mul(g.Slice(all, 1, 4, 2), g.Slice(all, 1, 6, 2))));
            return Dl.Compiler.Autodiff.Gradients(g, loss, new[] { all })[0];
        }
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,2"));
        var gradient = Gates(g, x);
        var clean = new GraphBuilder();
        var simplified = Simplify.Run(clean, new[] { gradient, x });
        var nodes = GraphBuilder.Topological(new[] { simplified[gradient] });
        Assert.Equal("Concat", simplified[gradient].Op.Name);
        Assert.DoesNotContain(nodes, n => n.Op is AddOp);
        Assert.DoesNotContain(nodes, n => n.Op is ConstantOp);
        var input = new TensorValue(new[] { 3, 2 }, new[] { 0.5, -1, 2, 0.25, -0.75, 1.5 });
        var before = Evaluator.Run(new[] { gradient }, n => input, 3)[gradient];
        var after = Evaluator.Run(new[] { simplified[gradient] }, n => input, 3)[simplified[gradient]];
        Assert.Equal(before.Data, after.Data);
    }

    [Fact]
    public void Overlapping_or_differently_joined_concats_are_still_added()
    {
        // [x, 0] + [x, x]: the first halves overlap, a real sum.
        Assert.Contains("Add", Simplified((g, x) => g.Add(g.Concat(new[] { x, g.Constant(0, S("N,3")) }, 1), g.Concat(new[] { x, x }, 1))));
        // Joined along different axes: not the same layout.
        Assert.Contains("Add", Simplified((g, x) => g.Add(g.Concat(new[] { x, g.Constant(0, S("N,3")) }, 1),
            g.Reshape(g.Concat(new[] { g.Reshape(g.Constant(0, S("N,3")), S("N,3,1")), g.Reshape(x, S("N,3,1")) }, 2), S("N,6")))));
        // Gaps that stay zero are one constant each, between the pieces.
        Assert.Equal(new[] { "Input{x [N,3]}", "Const{0 [N,3]}", "Tanh", "Concat{axis=1}" },
            Simplified((g, x) => g.Add(g.Concat(new[] { x, g.Constant(0, S("N,6")) }, 1), g.Concat(new[] { g.Constant(0, S("N,6")), g.Tanh(x) }, 1))));
    }

    /// <summary>Simplifies <paramref name="y"/> (built over the input <paramref name="x"/>), checks the values are unchanged on a sample, returns the op names.</summary>
    private static string[] SimplifiedKeepingValues(GraphBuilder g, Node x, Node y, int batch)
    {
        var clean = new GraphBuilder();
        var z = Simplify.Run(clean, new[] { y })[y];
        var data = Enumerable.Range(0, batch * (int)x.Shape.StaticCount).Select(i => Math.Sin(i + 1) * 2).ToArray();
        var input = new TensorValue(new[] { batch }.Concat(x.Shape.Skip(1).Select(d => d.Size)).ToArray(), data);
        var before = Evaluator.Run(new[] { y }, n => input, batch)[y];
        var after = Evaluator.Run(new[] { z }, n => input, batch)[z];
        Assert.Equal(before.Dims, after.Dims);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i], 12);
        return GraphBuilder.Topological(new[] { z }).Select(n => n.Op.Name).ToArray();
    }

    [Fact]
    public void Transposes_cancel_and_move_onto_a_products_operands_where_the_gemm_reads_them_as_flags()
    {
        // (aᵀ·b)ᵀ = bᵀ·a: the gradient of a weight used transposed lands in the weight's own layout.
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3"));
        var tw = g.Apply(new TransposeOp(new[] { 1, 0 }), g.MatMul(g.Transpose(x), g.Tanh(x)));
        Assert.Equal(new[] { "Input", "Tanh", "Transpose", "MatMul" }, SimplifiedKeepingValues(g, x, tw, 4));
        // The transpose left is Tanh(x)'s, read only by the product: a GEMM flag.
        Assert.Equal(new[] { "Input" }, SimplifiedKeepingValues(g, x, g.Transpose(g.Transpose(x)), 4));
        // Over rows of rank 3: TransposedMatMul(a, b)ᵀ = TransposedMatMul(b, a), no transpose at all.
        var r = g.Input("r", S("N,5,3"));
        var rows = g.Apply(new TransposeOp(new[] { 1, 0 }), g.TransposedMatMul(r, g.Sigmoid(r)));
        Assert.DoesNotContain("Transpose", SimplifiedKeepingValues(g, r, rows, 2));
        // A product without a transposed operand keeps its one transpose after it (nothing to gain).
        Assert.Equal(new[] { "Input", "Tanh", "MatMul", "Transpose" },
            SimplifiedKeepingValues(g, x, g.Transpose(g.MatMul(g.Tanh(x), g.Reshape(g.Constant(1, S("3,3")), S("3,3")))), 4).Where(n => n != "Const" && n != "Reshape").ToArray());
    }

    [Fact]
    public void A_slice_of_a_sum_is_the_sum_of_the_slices()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,8"));
        var sum = g.Add(g.Tanh(x), g.Sigmoid(x));
        Assert.Equal(new[] { "Input", "Tanh", "Slice", "Sigmoid", "Slice", "Add" }, SimplifiedKeepingValues(g, x, g.Slice(sum, 1, 2, 4), 3));
        // A broadcast operand is not sliced (its slice would be another shape): the sum stays.
        Assert.Contains("Add", SimplifiedKeepingValues(g, x, g.Slice(g.Add(g.Tanh(x), g.Mean(x)), 1, 2, 4), 3));
    }

    [Fact]
    public void Rules_are_an_ordered_named_list()
    {
        var names = Canonicalize.Rules.Select(r => r.Name).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Contains("Mul(x, Const c) -> Scale(x, c)", names);
        Assert.True(names.IndexOf("Mul(x, 0) -> 0") < names.IndexOf("Mul(x, Const c) -> Scale(x, c)"), "the zero rule must win over the Scale rule");
    }

    /// <summary>A loss form and the factor by which it scales the cross-entropy.</summary>
    public static TheoryData<string, double> ScaledLosses() => new()
    {
        { "ce", 1 }, { "0.5*ce", 0.5 }, { "ce*0.5", 0.5 }, { "0.5*(2*ce)", 1 }, { "-(-ce)", 1 }, { "ce/1", 1 }, { "0.25*ce+0", 0.25 }, { "3*(0.5*ce)", 1.5 },
    };

    private static ModelGraph Classifier(string form)
    {
        var g = new GraphBuilder();
        var x = g.Input("image", S("N,6"));
        var y = g.Input("label", S("N"), DType.Int32);
        var o = Layers.Dense(g, "output", x, 6, 4);
        var ce = g.SoftmaxCrossEntropy(o, y);
        Node loss = form switch
        {
            "0.5*ce" => g.Mul(g.Constant(0.5), ce),
            "ce*0.5" => g.Mul(ce, g.Constant(0.5)),
            "0.5*(2*ce)" => g.Mul(g.Constant(0.5), g.Mul(g.Constant(2), ce)),
            "-(-ce)" => g.Neg(g.Neg(ce)),
            "ce/1" => g.Div(ce, g.Constant(1)),
            "0.25*ce+0" => g.Add(g.Mul(g.Constant(0.25), ce), g.Constant(0)),
            "3*(0.5*ce)" => g.Mul(g.Constant(3), g.Mul(g.Constant(0.5), ce)),
            "ce" => ce,
            _ => throw new ArgumentException(form),
        };
        return new ModelGraph("Scaled", g, new[] { x, y }, o, loss, forwardInputCount: 1);
    }

    [Theory]
    [MemberData(nameof(ScaledLosses))]
    public void A_scaled_cross_entropy_keeps_the_fused_loss_and_gradient_kernel(string form, double factor)
    {
        var plan = ModelCompiler.Compile(Classifier(form));
        var fused = Assert.Single(plan.Gradients!.Kernels.OfType<SoftmaxCrossEntropyKernel>());
        Assert.NotNull(fused.Loss);
        // The kernel writes the finished logits gradient: the loss's factor and the 1/N are its scale,
        // no separate loop multiplies its result afterwards (before canonicalisation a scaled loss
        // fused only Softmax - OneHot and left a Mul and a Mul_Scale loop over [N,C] behind).
        Assert.NotNull(fused.GradientScale);
        Assert.Equal(factor, fused.GradientScale!.Factor, 12);
        Assert.Equal(-1, fused.GradientScale.BatchPower);
        var rest = plan.Gradients!.Kernels.Where(k => k != fused && k.Writes.Any(n => n.Shape.Rank > 0)).Select(k => k.Describe());
        Assert.Equal(new[] { "MatMul_BiasAdd", "SumTo", "MatMul" }, rest);
    }

    [Theory]
    [MemberData(nameof(ScaledLosses))]
    public void The_canonical_gradients_match_the_evaluator_and_finite_differences(string form, double factor)
    {
        // The compiled (simplified, canonical) gradient nodes, evaluated, against central differences of the loss.
        var model = Classifier(form);
        var plan = ModelCompiler.Compile(model);
        var rng = new Random(7);
        const int batch = 3;
        var image = Random(new[] { batch, 6 }, rng, r => -1 + 2 * r.NextDouble());
        var label = new TensorValue(new[] { batch }, new double[] { 0, 3, 1 });
        var parameters = plan.Parameters.Select(p => p.Node).ToList();
        var byName = parameters.ToDictionary(p => ((ParamOp)p.Op).ParamName, p => Random(p.Shape.Resolve(batch), rng, r => -1 + 2 * r.NextDouble()));
        var values = parameters.ToDictionary(p => p, p => byName[((ParamOp)p.Op).ParamName]);
        // Binds the compiled graph's nodes and the source graph's alike (by input and parameter name).
        TensorValue Bind(Node n) => n.Op switch
        {
            InputOp { InputName: "image" } => image,
            InputOp { InputName: "label" } => label,
            ParamOp p => byName[p.ParamName],
            _ => throw new InvalidOperationException(n.ToString()),
        };
        // AllRoots: the output, the loss, then each parameter's gradient in parameter order.
        var gradients = plan.AllRoots.Skip(2).Take(parameters.Count).ToList();
        var analytic = Evaluator.Run(gradients, Bind, batch);
        double Loss() => Evaluator.Run(new[] { plan.Loss! }, Bind, batch)[plan.Loss!][0];
        // The canonical loss is the source graph's loss, which is the factor times the cross-entropy.
        var ce = GraphBuilder.Topological(new[] { model.Loss! }).Single(n => n.Op is SoftmaxCrossEntropyOp);
        var source = Evaluator.Run(new[] { model.Loss!, ce }, Bind, batch);
        Assert.Equal(source[model.Loss!][0], Loss(), 12);
        Assert.Equal(factor * source[ce][0], Loss(), 12);
        foreach (var (p, d) in parameters.Zip(gradients, (p, d) => (p, d)))
        {
            var x = values[p];
            for (int i = 0; i < x.Length; i++)
            {
                double saved = x[i];
                x[i] = saved + 1e-6; double up = Loss();
                x[i] = saved - 1e-6; double down = Loss();
                x[i] = saved;
                double numeric = (up - down) / 2e-6;
                Assert.True(Math.Abs(analytic[d][i] - numeric) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                    $"{form}: d{((ParamOp)p.Op).ParamName}[{i}] = {analytic[d][i]}, finite differences {numeric}");
            }
        }
    }
}
