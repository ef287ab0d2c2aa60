using System.Collections.Generic;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;
using static Dl.Graph.Tests.InputSpec;

namespace Dl.SourceGen.Tests.Coverage;

/// <summary>
/// The registry of cases, one per op table row. Adding an op to the table without a case here fails
/// <see cref="OpCoverageTests.Every_op_in_the_table_has_a_case_with_every_check"/>.
/// </summary>
public static class OpCases
{
    /// <summary>A model whose parameter <c>p</c> has one sample's shape, so <c>x * p</c> is a trainable operand.</summary>
    private static string Std(string forward, string input = "4", string fields = "", string loss = "(y * y).Mean()") => $$"""
            readonly Param p = new({{input}});
            {{fields}}
            public Tensor Forward([Input({{input}})] Tensor x) => {{forward}};
            public Tensor Loss(Tensor y) => {{loss}};
        """;

    private static Node[] X(GraphBuilder g, string shape, DType type = DType.Float32) => new[] { g.Input("x", S(shape), type) };
    private static Node[] Ints(GraphBuilder g) => X(g, "N,4", DType.Int32);
    private static Node[] Pair(GraphBuilder g, string a, string b) => new[] { g.Input("a", S(a)), g.Input("b", S(b)) };

    private const string Source = "a source: it has no operand to differentiate";

    private static OpCase Unary(string op, string forward, bool kink = false, OpArgs? args = null, bool positive = false) => new(op)
    {
        Model = Std(forward),
        Args = args ?? OpArgs.None,
        BadOperands = Ints,
        Gradient = new[] { kink ? AwayFromZero("x", S("N,4")) : positive ? Float("x", S("N,4"), 0.5, 2) : Float("x", S("N,4")) },
    };

    private static OpCase Binary(string op, string forward, double lo = -1) => new(op)
    {
        Model = Std(forward),
        BadOperands = g => Pair(g, "N,4", "3"),
        Gradient = new[] { Float("a", S("N,4")), Float("b", S("4"), lo, lo == -1 ? 1 : lo + 1) },
    };

    public static IReadOnlyList<OpCase> All { get; } = new[]
    {
        // ---- sources ----
        new OpCase(OpTable.Input)
        {
            Model = Std("x * p"), Args = new OpArgs { Name = "x", Ints = new[] { 4 } },
            BadArgs = new OpArgs { Name = "x", Ints = new[] { 0 } }, BadOperands = g => new Node[0], NoGradient = Source,
        },
        new OpCase(OpTable.LabelsInput)
        {
            Model = """
                readonly Param w = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x) => Nn.MatMul(x, w);
                public Tensor Loss(Tensor y, [Input] Labels l) => Nn.CrossEntropy(y, l);
            """,
            BadArgs = new OpArgs { Name = "l", Ints = new[] { -1 } }, BadOperands = g => new Node[0], NoGradient = Source,
        },
        new OpCase(OpTable.InputLike)
        {
            Model = Std("x * p", loss: "Nn.Mse(y, t)").Replace("Loss(Tensor y)", "Loss(Tensor y, Tensor t)"),
            NoShapeError = "it takes the shape of Forward's output, whatever it is", NoGradient = Source,
        },
        new OpCase(OpTable.LabelsLike)
        {
            Model = """
                readonly Param w = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x) => Nn.MatMul(x, w);
                public Tensor Loss(Tensor y, Labels l) => Nn.CrossEntropy(y, l);
            """,
            Args = new OpArgs { Name = "l" }, BadOperands = g => new[] { g.Constant(1) }, NoGradient = Source,
        },
        new OpCase(OpTable.Param)
        {
            Model = Std("x * p"), BadArgs = new OpArgs { Name = "p", Ints = new[] { 4, 0 }, Option = "Glorot" }, BadOperands = g => new Node[0],
            NoGradient = "a source: every other case's gradient check differentiates the parameters it makes",
        },
        new OpCase(OpTable.Constant)
        {
            Model = Std("x * p * 2f + 1f"), NoShapeError = "a number has no shape to get wrong", NoGradient = Source,
        },

        // ---- operators ----
        Binary("Add", "x + p"),
        Binary("Sub", "x - p"),
        Binary("Mul", "x * p"),
        Binary("Div", "x / (p * p + 1f)", lo: 1),
        Binary("Maximum", "Nn.Maximum(x, p)"),
        Binary("Minimum", "Nn.Minimum(x * p, p)"),
        Binary("Greater", "Nn.Greater(x, p) * p"),
        Binary("Less", "Nn.Less(x * p, p) * x"),
        Binary("GreaterEqual", "Nn.GreaterEqual(x, p) * p"),
        Binary("LessEqual", "Nn.LessEqual(x, p) * p"),
        Binary("Equal", "(Nn.Equal(x, x) + Nn.Equal(x, p)) * p"),
        new OpCase("Where")
        {
            Model = Std("Nn.Where(Nn.Greater(x, p), x * p, p)"),
            BadOperands = g => new[] { g.Input("c", S("N,4")), g.Input("a", S("N,4")), g.Input("b", S("3")) },
            Gradient = new[] { Mask("c", S("N,4")), Float("a", S("N,4")), Float("b", S("4")) },
        },
        Unary(OpTable.Neg, "-(x * p)"),

        // ---- functions ----
        Unary("Exp", "(x * p).Exp()"),
        Unary("Log", "(x * p * (x * p) + 1f).Log()", positive: true),
        Unary("Relu", "(x * p).Relu()", kink: true),
        Unary("Sigmoid", "Nn.Sigmoid(x * p)"),
        Unary("Tanh", "(x * p).Tanh()"),
        Unary("Softmax", "(x * p).Softmax()"),
        Unary("LogSoftmax", "Nn.LogSoftmax(x * p)"),
        Unary("Softplus", "Nn.Softplus(x * p)"),
        Unary("Abs", "Nn.Abs(x * p)", kink: true),
        Unary("LeakyRelu", "Nn.LeakyRelu(x * p, 0.2f)", kink: true, new OpArgs { Number = 0.2 }),
        Unary("Elu", "(x * p).Elu(0.5f)", kink: true, new OpArgs { Number = 0.5 }),
        Unary("Silu", "Nn.Silu(x * p)"),
        Unary("GeluTanh", "(x * p).GeluTanh()"),
        Unary("Gelu", "Nn.Gelu(x * p)"),
        Unary("HardSigmoid", "Nn.HardSigmoid(x * p)"),
        Unary("Sqrt", "(x * p * (x * p) + 1f).Sqrt()", positive: true),
        Unary("Clamp", "(x * p).Clamp(-0.3f, 0.4f)", args: new OpArgs { Number = -0.3, Reals = new[] { -0.3, 0.4 } }),
        Unary("Pow", "Nn.Pow(x * p * (x * p) + 1f, 2.5f)", positive: true, args: new OpArgs { Number = 2.5 }),
        new OpCase("MatMul")
        {
            Model = Std("Nn.MatMul(x * p, w)", fields: "readonly Param w = new(4, 3);"),
            BadOperands = g => Pair(g, "N,4", "3,2"),
            Gradient = new[] { Float("a", S("N,4")), Float("b", S("4,3")) },
        },
        new OpCase("BiasAdd")
        {
            Model = Std("Nn.BiasAdd(x, p)"),
            BadOperands = g => Pair(g, "N,4", "3"),
            Gradient = new[] { Float("a", S("N,4")), Float("b", S("4")) },
        },

        // ---- losses and penalties ----
        new OpCase("Mse")
        {
            Model = Std("x * p", loss: "Nn.Mse(y, t)").Replace("Loss(Tensor y)", "Loss(Tensor y, [Input(4)] Tensor t)"),
            BadOperands = g => Pair(g, "N,4", "N,3"),
            Gradient = new[] { Float("a", S("N,4")), Constant("b", S("N,4")) },
        },
        new OpCase("CrossEntropy")
        {
            Model = """
                readonly Param w = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x) => Nn.MatMul(x, w);
                public Tensor Loss(Tensor y, Labels l) => Nn.CrossEntropy(y, l);
            """,
            BadOperands = g => new[] { g.Input("z", S("N,3")), g.Input("l", S("N,2"), DType.Int32) },
            Gradient = new[] { Float("z", S("N,3")), Labels("l", S("N"), 3) },
        },
        new OpCase("BinaryCrossEntropy")
        {
            Model = Std("x * p", loss: "Nn.BinaryCrossEntropy(y, t)").Replace("Loss(Tensor y)", "Loss(Tensor y, [Input(4)] Tensor t)"),
            BadOperands = g => Pair(g, "N,4", "N,3"),
            Gradient = new[] { Float("z", S("N,4")), Constant("t", S("N,4")) },
        },
        new OpCase("RandomNormal")
        {
            Model = Std("x * p + Nn.RandomNormal(x, 3)"), Args = new OpArgs { Ints = new[] { 3 } },
            BadArgs = new OpArgs { Ints = new[] { -1 } }, BadOperands = Ints, Gradient = new[] { Float("x", S("N,4")) },
        },
        new OpCase("KlDivergence")
        {
            Model = Std("x * p", loss: "Nn.KlDivergence(y, y * 0.5f)"),
            BadOperands = g => Pair(g, "N,4", "N,3"),
            Gradient = new[] { Float("mu", S("N,4")), Float("lv", S("N,4")) },
        },
        new OpCase("L1") { Model = Std("x * p", loss: "(y * y).Mean() + 0.1f * Nn.L1(p)"), BadOperands = Ints, Gradient = new[] { AwayFromZero("x", S("N,4")) } },
        new OpCase("L2") { Model = Std("x * p", loss: "(y * y).Mean() + 0.1f * Nn.L2(p)"), BadOperands = Ints, Gradient = new[] { Float("x", S("N,4")) } },

        // ---- convolutional toolbox functions ----
        new OpCase("GlobalAvgPool2d")
        {
            Model = Std("Nn.GlobalAvgPool2d(x * p)", input: "2, 4, 4"),
            BadOperands = g => X(g, "N,4"), Gradient = new[] { Float("x", S("N,2,4,4")) },
        },
        new OpCase("MaxPool2d")
        {
            Model = Std("Nn.MaxPool2d(x * p, 2)", input: "2, 4, 4"), Args = new OpArgs { Ints = new[] { 2, 2, 0 } },
            BadArgs = new OpArgs { Ints = new[] { 5, 5, 0 } }, BadOperands = g => X(g, "N,2,4,4"), Gradient = new[] { Float("x", S("N,2,4,4")) },
            NotOnGpu = "no GPU kernel for MaxPool2d",
        },
        new OpCase("AvgPool2d")
        {
            Model = Std("Nn.AvgPool2d(x * p, 2, 1, 1)", input: "2, 4, 4"), Args = new OpArgs { Ints = new[] { 2, 1, 1 } },
            BadArgs = new OpArgs { Ints = new[] { 5, 5, 0 } }, BadOperands = g => X(g, "N,2,4,4"), Gradient = new[] { Float("x", S("N,2,4,4")) },
            NotOnGpu = "no GPU kernel for AvgPool2d",
        },
        new OpCase("Concat")
        {
            Model = Std("Nn.Concat(x * p, x, x * p * p)", input: "2, 3"),
            BadOperands = g => Pair(g, "N,4,2", "N,3,3"), Gradient = new[] { Float("a", S("N,2,3")), Float("b", S("N,1,3")) },
        },

        // ---- layout and sequences ----
        new OpCase("ConcatAxis")
        {
            Model = Std("Nn.Concat(-1, x * p, x, x * p * p)", input: "2, 3"), Args = new OpArgs { Ints = new[] { -1 } },
            BadArgs = new OpArgs { Ints = new[] { 0 } }, BadOperands = g => Pair(g, "N,2,3", "N,2,3"),
            Gradient = new[] { Float("a", S("N,2,3")), Float("b", S("N,2,1")) },
        },
        new OpCase("Stack")
        {
            Model = Std("Nn.Stack(1, x * p, x, x * p * p)", input: "3"), Args = new OpArgs { Ints = new[] { 1 } },
            BadOperands = g => Pair(g, "N,3", "N,4"), Gradient = new[] { Float("a", S("N,3")), Float("b", S("N,3")) },
        },
        new OpCase("Slice")
        {
            Model = Std("(x * p).Slice(-1, 1, 2)", input: "2, 4"), Args = new OpArgs { Ints = new[] { 1, 1, 2 } },
            BadArgs = new OpArgs { Ints = new[] { 1, 3, 2 } }, BadOperands = g => X(g, "N,4,2"), Gradient = new[] { Float("x", S("N,4,2")) },
        },
        new OpCase("Select")
        {
            Model = Std("(x * p).Select(1, -1)", input: "3, 2"), Args = new OpArgs { Ints = new[] { 1, 2 } },
            BadArgs = new OpArgs { Ints = new[] { 1, 3 } }, BadOperands = g => X(g, "N,3,2"), Gradient = new[] { Float("x", S("N,3,2")) },
        },
        new OpCase("Chunk")
        {
            Model = Std("(x * p).Chunk(-1, 2)[1] * 2f + (x * p).Chunk(1, 2)[0]", input: "4"), Args = new OpArgs { Ints = new[] { 1, 2, 1 } },
            BadArgs = new OpArgs { Ints = new[] { 1, 3, 0 } }, BadOperands = g => X(g, "N,4"), Gradient = new[] { Float("x", S("N,4")) },
        },
        new OpCase("Embedding")
        {
            Model = """
                readonly Embedding embed = new(5, 3);
                readonly Param p = new(4, 3);
                public Tensor Forward([Input(4)] Labels tokens) => (embed.Forward(tokens) * p).Tanh();
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """,
            Args = new OpArgs { Name = "embed", Ints = new[] { 5, 3 } },
            BadOperands = g => X(g, "N,4"), Gradient = new[] { Labels("tokens", S("N,4"), 5) },
        },
        new OpCase("Reverse")
        {
            Model = Std("(x * p).Reverse(1) * p", input: "3, 2"), Args = new OpArgs { Ints = new[] { -2 } },
            BadArgs = new OpArgs { Ints = new[] { 0 } }, BadOperands = g => X(g, "N,3,2"), Gradient = new[] { Float("x", S("N,3,2")) },
        },
        new OpCase("SequenceMask")
        {
            // The harness's labels are below 3: lengths 0..2 of 3 steps, so some steps are masked.
            Model = """
                readonly Param p = new(3, 2);
                public Tensor Forward([Input(3, 2)] Tensor x, [Input] Labels lengths) => Nn.SequenceMask((x * p).Tanh(), lengths) * p;
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """,
            BadOperands = g => new[] { g.Input("x", S("N,3,2")), g.Input("lengths", S("N,3"), DType.Int32) },
            Gradient = new[] { Float("x", S("N,3,2")), Labels("lengths", S("N"), 4) },
        },

        // ---- layout and reductions ----
        new OpCase("Transpose")
        {
            Model = Std("x.MatMul(w.Transpose())", fields: "readonly Param w = new(3, 4);"),
            BadOperands = g => X(g, "N,2,2"), Gradient = new[] { Float("x", S("3,4")) },
        },
        new OpCase("Flatten")
        {
            Model = Std("(x * p).Flatten()", input: "2, 2, 2"),
            BadOperands = g => new[] { g.Constant(1) }, Gradient = new[] { Float("x", S("N,2,2,2")) },
        },
        new OpCase("Reshape")
        {
            Model = Std("(x * p).Reshape(-1, 2, 2).Sum(2)"), Args = new OpArgs { Ints = new[] { -1, 2, 2 } },
            BadArgs = new OpArgs { Ints = new[] { -1, -1 } }, BadOperands = g => X(g, "N,4"), Gradient = new[] { Float("x", S("N,4")) },
        },
        new OpCase("Sum")
        {
            Model = Std("(x * p).Sum(1)", input: "4, 2"), Args = new OpArgs { Ints = new[] { 1 } },
            BadArgs = new OpArgs { Ints = new[] { 5 } }, BadOperands = g => X(g, "N,4"), Gradient = new[] { Float("x", S("N,4,2")) },
        },
        new OpCase("Mean")
        {
            Model = Std("(x * p).Mean(1)", input: "4, 2"), Args = new OpArgs { Ints = new[] { 1 } },
            BadArgs = new OpArgs { Ints = new[] { 5 } }, BadOperands = g => X(g, "N,4"), Gradient = new[] { Float("x", S("N,4,2")) },
        },

        // ---- built-in layers ----
        new OpCase("Dense")
        {
            Model = Std("d.Forward(x)", fields: "readonly Dense d = new(4, 3, Activation.Tanh);", loss: "(y * y).Mean() + (p * p).Mean()"),
            Args = new OpArgs { Name = "d", Ints = new[] { 4, 3 }, Option = "Tanh", Flag = true },
            BadOperands = g => X(g, "N,5"), Gradient = new[] { Float("x", S("N,4")) },
        },
        new OpCase("Conv2d")
        {
            Model = Std("c.Forward(x * p)", input: "2, 5, 5", fields: "readonly Conv2d c = new(2, 3, 3, padding: 1, activation: Activation.Tanh);"),
            Args = new OpArgs { Name = "c", Ints = new[] { 2, 3, 3, 1, 1, 1, 1 }, Option = "Tanh", Flag = true },
            BadOperands = g => X(g, "N,1,5,5"), Gradient = new[] { Float("x", S("N,2,5,5")) },
            NotOnGpu = "no GPU kernel for ConvKernel",
        },
        new OpCase("ConvTranspose2d")
        {
            Model = Std("c.Forward(x * p)", input: "2, 3, 3", fields: "readonly ConvTranspose2d c = new(2, 3, 3, stride: 2, padding: 1);"),
            Args = new OpArgs { Name = "c", Ints = new[] { 2, 3, 3, 2, 1, 0, 1, 1 }, Option = "None", Flag = true },
            BadOperands = g => X(g, "N,1,3,3"), Gradient = new[] { Float("x", S("N,2,3,3")) },
            NotOnGpu = "no GPU kernel for ConvTranspose2d",
        },
        new OpCase("DepthwiseSeparableConv2d")
        {
            Model = Std("c.Forward(x * p)", input: "2, 4, 4", fields: "readonly DepthwiseSeparableConv2d c = new(2, 3, 3, padding: 1);"),
            Args = new OpArgs { Name = "c", Ints = new[] { 2, 3, 3, 1, 1, 1 }, Option = "None", Flag = true },
            BadOperands = g => X(g, "N,1,4,4"), Gradient = new[] { Float("x", S("N,2,4,4")) },
            NotOnGpu = "no GPU kernel for ConvKernel",
        },
        new OpCase("BatchNorm2d")
        {
            Model = Std("bn.Forward(x * p)", input: "2, 3, 3", fields: "readonly BatchNorm2d bn = new(2);"),
            Args = new OpArgs { Name = "bn", Ints = new[] { 2 }, Number = 0.1, Option = "1E-05" },
            BadOperands = g => X(g, "N,2"), Gradient = new[] { Float("x", S("N,2,3,3")) },
            NotOnGpu = "no GPU kernel for a strided reduction",
        },
        new OpCase("BatchNorm1d")
        {
            Model = Std("bn.Forward(x * p)", fields: "readonly BatchNorm1d bn = new(4);"),
            Args = new OpArgs { Name = "bn", Ints = new[] { 4 }, Number = 0.1, Option = "1E-05" },
            BadOperands = g => X(g, "N,4,2,2"), Gradient = new[] { Float("x", S("N,4")) },
        },
        new OpCase("Dropout")
        {
            Model = Std("drop.Forward(x * p)", fields: "readonly Dropout drop = new(0.5f);"),
            Args = new OpArgs { Name = "drop", Number = 0.5 },
            BadArgs = new OpArgs { Name = "drop", Number = 1.5 }, BadOperands = g => X(g, "N,4"), Gradient = new[] { Float("x", S("N,4")) },
        },

        // ---- recurrent layers ----
        new OpCase("Rnn")
        {
            Model = Std("r.Forward(x * p)", input: "3, 2", fields: "readonly Rnn r = new(2, 3, bidirectional: true);"),
            Args = new OpArgs { Name = "r", Ints = new[] { 2, 3, 1, 1, 0 }, Option = "Tanh", Flag = true },
            BadOperands = g => X(g, "N,6"), Gradient = new[] { Float("x", S("N,3,2")) },
        },
        new OpCase("Lstm")
        {
            Model = Std("l.Forward(x * p)", input: "3, 2", fields: "readonly Lstm l = new(2, 3);"),
            Args = new OpArgs { Name = "l", Ints = new[] { 2, 3, 1, 0, 0 }, Flag = true },
            BadOperands = g => X(g, "N,3,5"), Gradient = new[] { Float("x", S("N,3,2")) },
        },
        new OpCase("Gru")
        {
            Model = Std("gru.FinalHidden(x * p)", input: "3, 2", fields: "readonly Gru gru = new(2, 3, layers: 2);"),
            Args = new OpArgs { Name = "gru", Ints = new[] { 2, 3, 2, 0, 1 }, Flag = true },
            BadOperands = g => new[] { g.Input("x", S("N,3,2")), g.Input("h0", S("N,2,4")) }, Gradient = new[] { Float("x", S("N,3,2")) },
        },
    };

    public static OpCase? For(string op) => All.FirstOrDefault(c => c.Op == op);
}
