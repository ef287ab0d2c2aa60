using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>What the front end builds: the graph of each example, parameter names and sharing, input shapes.</summary>
public class LoweringTests
{
    private static ModelGraph Lower(string source, string className)
    {
        var run = Generate(source);
        var lowered = ModelLowering.Lower(run.Spec(className));
        Assert.Empty(lowered.Diagnostics);
        return Assert.IsType<ModelGraph>(lowered.Graph);
    }

    private static string[] ParamNames(ModelGraph graph) => graph.Parameters.Select(p => ((ParamOp)p.Op).ParamName).ToArray();

    private static string Text(ModelGraph graph) => GraphText.Text(graph.Roots);

    [Fact]
    public void MnistMlp_lowers_to_two_dense_layers_and_cross_entropy()
    {
        var graph = Lower(ExampleModels.MnistMlp, "MnistMlp");
        Assert.Equal(new[] { "hidden.weight", "hidden.bias", "output.weight", "output.bias" }, ParamNames(graph));
        Assert.Equal(new[] { "Input{image [N,784]}", "Input{label [N] i32}" }, graph.Inputs.Select(i => i.Op.Key));
        var text = Text(graph);
        Assert.Contains("Param{hidden.weight [784,128] He}", text);
        Assert.Contains("Param{output.weight [128,10] Glorot}", text);
        Assert.Contains("Relu", text);
        Assert.Contains("SoftmaxCrossEntropy", text);
        Assert.Equal("[N,10]", graph.Output.Shape.ToString());
        Assert.Equal(0, graph.Loss!.Shape.Rank);
    }

    [Fact]
    public void Deep_shares_the_block_weights_across_the_unrolled_loop()
    {
        var graph = Lower(ExampleModels.Deep, "Deep");
        var names = ParamNames(graph);
        Assert.Equal(new[] { "input.weight", "input.bias", "block.inner.weight", "block.inner.bias", "block.scale", "head.weight", "head.bias" }, names);
        Assert.Single(names, n => n == "block.inner.weight");
        var text = Text(graph);
        Assert.Contains("Param{block.scale [32] Ones}", text);
        Assert.Equal(3, graph.Builder.Nodes.Count(n => n.Op is MatMulOp && n.Inputs[1].Op is ParamOp { ParamName: "block.inner.weight" }));
        // Loss's target without [Input] takes the output's shape.
        Assert.Equal(new[] { "Input{x [N,16]}", "Input{target [N,1]}" }, graph.Inputs.Select(i => i.Op.Key));
        Assert.Contains("Mse", text);
    }

    [Fact]
    public void Two_fields_of_one_layer_type_get_separate_parameters()
    {
        var graph = Lower("""
            using Dl;
            [Layer]
            public partial class Block(int n)
            {
                readonly Dense a = new(n, n, Activation.Sigmoid, bias: false);
                public Tensor Forward(Tensor x) => a.Forward(x);
            }
            [Model]
            public partial class Twice
            {
                readonly Block first = new(8);
                readonly Block second = new(8);
                public Tensor Forward([Input(8)] Tensor x) => second.Forward(first.Forward(x));
            }
            """, "Twice");
        Assert.Equal(new[] { "first.a.weight", "second.a.weight" }, ParamNames(graph));
        Assert.Null(graph.Loss);
    }

    [Fact]
    public void Constants_locals_conditionals_helpers_and_tensor_methods()
    {
        var graph = Lower("""
            using Dl;
            namespace Test;
            [Model]
            public partial class Many
            {
                const int Side = 4;
                readonly int hidden = Side * Side / 2;
                readonly bool useTanh = false;
                readonly Param w = new(Init.He, Side * Side, Side * Side / 2);
                readonly Param b = new(Init.Zeros, Side * Side / 2);
                public Tensor Forward([Input(Side, Side)] Tensor image, [Input(8, Gradient = true)] Tensor noise)
                {
                    var x = image.Reshape(-1, Side * Side);
                    var h = Nn.BiasAdd(x.MatMul(w), b);
                    h = useTanh ? h.Tanh() : Swish(h);
                    h += noise * 0.5f;
                    if (hidden > 4) h = 1 - h;
                    else h = -h;
                    for (int i = 0, j = 2; i < j; i++) h = h / 2;
                    return h.Flatten().Exp().Log().Softmax() - h.LogSoftmax();
                }
                Tensor Swish(Tensor t) => t * t.Sigmoid();
                public Tensor Loss(Tensor y, Tensor target) => Nn.BinaryCrossEntropy(y, target) + y.Mean(1).Sum() * 0;
            }
            """, "Many");
        var text = Text(graph);
        foreach (var op in new[] { "Reshape{[N,16]}", "MatMul", "BiasAdd", "Sigmoid", "Const{0.5}", "Const{1}", "Sub", "Div", "Const{2}", "Exp", "Log", "Softmax", "LogSoftmax", "BinaryCrossEntropy", "Sum{axes=[1]}", "Const{0}" })
            Assert.Contains(op, text);
        Assert.DoesNotContain("Tanh", text);
        Assert.DoesNotContain("Neg", text);
        Assert.Equal(2, graph.Builder.Nodes.Count(n => n.Op is DivOp));
        Assert.Equal("Input{noise [N,8]}", Assert.Single(graph.InputsWithGradient).Op.Key);
        Assert.Equal(new[] { "w", "b" }, ParamNames(graph));
    }

    [Fact]
    public void Nested_layers_take_their_path_and_bound_constants()
    {
        var graph = Lower("""
            using Dl;
            [Layer]
            public partial class Inner(int n, float gain)
            {
                readonly Param p = new(n);
                public Tensor Forward(Tensor x) => x * p * gain;
            }
            [Layer]
            public partial class Outer(int n)
            {
                readonly Inner inner = new(n * 2, 0.25f);
                public Tensor Forward(Tensor x) => inner.Forward(x);
            }
            [Model]
            public partial class Nest
            {
                readonly Outer outer = new(3);
                public Tensor Forward([Input(6)] Tensor x) => outer.Forward(x);
            }
            """, "Nest");
        Assert.Equal("outer.inner.p", Assert.Single(ParamNames(graph)));
        Assert.Contains("Param{outer.inner.p [6] Glorot}", Text(graph));
        Assert.Contains("Const{0.25}", Text(graph));
    }

    [Fact]
    public void Labels_without_input_take_the_output_shape_minus_its_last_axis()
    {
        var graph = Lower("""
            using Dl;
            [Model]
            public partial class Seq
            {
                readonly Param w = new(5, 7);
                public Tensor Forward([Input(5)] Tensor x) => x.MatMul(w);
                public Tensor Loss(Tensor logits, Labels y) => Nn.CrossEntropy(logits, y);
            }
            """, "Seq");
        Assert.Equal("Input{y [N] i32}", graph.Inputs[1].Op.Key);
    }

    [Fact]
    public void Op_zoo_reads_every_operator_form()
    {
        var graph = Lower("""
            using Dl;
            [Model]
            public partial class OpZoo
            {
                readonly Param w = new(Init.Glorot, 5, 4);
                readonly Param gain = new(Init.Ones, 4);
                readonly Dense gate = new(4, 4, Activation.Sigmoid);
                public Tensor Forward([Input(5)] Tensor x)
                {
                    var h = (x.MatMul(w) * gain).Tanh();
                    var p = h.Softmax() + h.LogSoftmax().Exp() * 0.5f;
                    var centred = p - p.Mean(1).Reshape(-1, 1);
                    var g = gate.Forward(h);
                    var mixed = centred / (1f + g) + Nn.Relu(h - 0.1f);
                    return mixed.Transpose().Transpose() + (h * h + 1f).Log();
                }
                public Tensor Loss(Tensor y, Tensor target) =>
                    Nn.BinaryCrossEntropy(y, target) + (y * y).Mean() * 0.01f + y.Sum(1).Mean() * 0.001f;
            }
            """, "OpZoo");
        Assert.Equal(new[] { "w", "gain", "gate.weight", "gate.bias" }, ParamNames(graph));
        var text = Text(graph);
        foreach (var op in new[] { "Reshape{[N,1]}", "Sum{axes=[1]}", "Scale{0.25}", "Sigmoid", "Relu", "Tanh", "BinaryCrossEntropy" })
            Assert.Contains(op, text);
    }
}
