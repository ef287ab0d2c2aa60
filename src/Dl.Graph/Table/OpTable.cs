using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using static Dl.Graph.OpAttribute;

namespace Dl.Graph;

/// <summary>
/// Every op model code can write, once: its C# surface (operator, <c>Nn</c> function, Tensor method,
/// built-in layer), operands, attributes and the factory that builds its Dl.Graph node(s). The
/// generator's reader finds calls here by name, records the row's <see cref="OpEntry.Name"/> with the
/// call's attributes, and lowering calls the row's factory; shape rules and their messages live in the
/// ops and layers the factories call. Adding an op: its op file in Dl.Graph/Ops (shape rule, meaning,
/// VJP), one row here, its C# surface in Dl.Runtime/Api and its emitter cases.
/// </summary>
public static class OpTable
{
    private const OpSurface Function = OpSurface.Nn | OpSurface.Method;

    /// <summary>Names of the sources the reader makes itself (no C# call of their own).</summary>
    public const string Input = "Input", LabelsInput = "LabelsInput", InputLike = "InputLike", LabelsLike = "LabelsLike",
        Param = "Param", Constant = "Constant", Neg = "Neg";

    public static IReadOnlyList<OpEntry> Entries { get; } = new OpEntry[]
    {
        // ---- sources ----
        new(Input, OpSurface.Source, 0, (g, a, x) => g.Input(a.Name, a.Ints, DType.Float32))
            { Doc = "[Input] Tensor parameter: Name = input, Ints = one sample's sizes, Flag = gradient requested" },
        new(LabelsInput, OpSurface.Source, 0, (g, a, x) => g.Input(a.Name, a.Ints, DType.Int32))
            { Doc = "[Input] Labels parameter: Name, Ints = one sample's sizes" },
        new(InputLike, OpSurface.Source, 1, (g, a, x) => g.Input(a.Name, x[0].Shape, DType.Float32))
            { Doc = "a Loss target without [Input]: Forward's output shape; Name" },
        new(LabelsLike, OpSurface.Source, 1, (g, a, x) => g.LabelsFor(a.Name, x[0]))
            { Doc = "Loss labels without [Input]: Forward's output shape minus its classes; Name" },
        new(Param, OpSurface.Source, 0, (g, a, x) => g.Param(a.Name, a.Ints, ParseEnum<Init>(a.Option)))
            { Doc = "a Param field: Name = path, Ints = shape, Option = init" },
        new(Constant, OpSurface.Source, 0, (g, a, x) => g.Constant(a.Number)) { Doc = "a number used as a tensor: Number" },

        // ---- operators ----
        new("Add", OpSurface.Operator, 2, (g, a, x) => g.Add(x[0], x[1])) { SurfaceName = "+" },
        new("Sub", OpSurface.Operator, 2, (g, a, x) => g.Sub(x[0], x[1])) { SurfaceName = "-" },
        new("Mul", OpSurface.Operator, 2, (g, a, x) => g.Mul(x[0], x[1])) { SurfaceName = "*" },
        new("Div", OpSurface.Operator, 2, (g, a, x) => g.Div(x[0], x[1])) { SurfaceName = "/" },
        new(Neg, OpSurface.Operator, 1, (g, a, x) => g.Neg(x[0])) { SurfaceName = "-" },

        // ---- elementwise and row-wise functions: Nn.F(x) and x.F() ----
        new("Exp", Function, 1, (g, a, x) => g.Exp(x[0])),
        new("Log", Function, 1, (g, a, x) => g.Log(x[0])),
        new("Relu", Function, 1, (g, a, x) => g.Relu(x[0])),
        new("Sigmoid", Function, 1, (g, a, x) => g.Sigmoid(x[0])),
        new("Tanh", Function, 1, (g, a, x) => g.Tanh(x[0])),
        new("Softmax", Function, 1, (g, a, x) => g.Softmax(x[0])),
        new("LogSoftmax", Function, 1, (g, a, x) => g.LogSoftmax(x[0])),
        new("Softplus", Function, 1, (g, a, x) => g.Softplus(x[0])),
        new("Abs", Function, 1, (g, a, x) => g.Abs(x[0])),
        new("LeakyRelu", Function, 1, (g, a, x) => g.LeakyRelu(x[0], a.Number), Real("slope")),
        new("Elu", Function, 1, (g, a, x) => g.Elu(x[0], a.Number), Real("alpha")),
        new("Silu", Function, 1, (g, a, x) => g.Silu(x[0])),
        new("GeluTanh", Function, 1, (g, a, x) => g.GeluTanh(x[0])),
        new("Gelu", Function, 1, (g, a, x) => g.Gelu(x[0])),
        new("HardSigmoid", Function, 1, (g, a, x) => g.HardSigmoid(x[0])),
        new("Sqrt", Function, 1, (g, a, x) => g.Sqrt(x[0])),
        new("Pow", Function, 1, (g, a, x) => g.Pow(x[0], a.Number), Real("exponent")),
        new("Clamp", Function, 1, (g, a, x) => g.Clamp(x[0], a.Reals[0], a.Reals[1]), Real("min"), Real("max")) { Doc = "Reals = [min, max]" },
        new("RandomNormal", OpSurface.Nn, 1, (g, a, x) => g.RandomNormal(x[0], a.Ints[0]), Int("stream"))
            { DependsOnMode = true, Doc = "operand: a float tensor giving the shape; Ints = [stream]; standard normal samples fixed per step while training, zeros in inference" },
        new("MatMul", Function, 2, (g, a, x) => g.MatMul(x[0], x[1])),
        new("Maximum", OpSurface.Nn, 2, (g, a, x) => g.Maximum(x[0], x[1])),
        new("Minimum", OpSurface.Nn, 2, (g, a, x) => g.Minimum(x[0], x[1])),
        new("Greater", OpSurface.Nn, 2, (g, a, x) => g.Greater(x[0], x[1])),
        new("Less", OpSurface.Nn, 2, (g, a, x) => g.Less(x[0], x[1])),
        new("GreaterEqual", OpSurface.Nn, 2, (g, a, x) => g.GreaterEqual(x[0], x[1])),
        new("LessEqual", OpSurface.Nn, 2, (g, a, x) => g.LessEqual(x[0], x[1])),
        new("Equal", OpSurface.Nn, 2, (g, a, x) => g.Equal(x[0], x[1])),
        new("Where", OpSurface.Nn, 3, (g, a, x) => g.Where(x[0], x[1], x[2])) { Doc = "operands: condition (a ≠ 0 is true), a, b" },

        // ---- Nn functions ----
        new("BiasAdd", OpSurface.Nn, 2, (g, a, x) => g.BiasAdd(x[0], x[1])),
        new("Mse", OpSurface.Nn, 2, (g, a, x) => g.Mse(x[0], x[1])),
        new("CrossEntropy", OpSurface.Nn, 2, (g, a, x) => g.SoftmaxCrossEntropy(x[0], x[1])) { LabelOperands = new[] { 1 } },
        new("BinaryCrossEntropy", OpSurface.Nn, 2, (g, a, x) => g.BinaryCrossEntropy(x[0], x[1])),
        new("KlDivergence", OpSurface.Nn, 2, (g, a, x) => g.KlDivergence(x[0], x[1]))
            { Doc = "operands: mu, logVar (same shape); -½·Σ(1 + logVar - mu² - exp(logVar)) over the features, mean over the batch" },
        new("L1", OpSurface.Nn, 1, (g, a, x) => g.L1(x[0])),
        new("L2", OpSurface.Nn, 1, (g, a, x) => g.L2(x[0])),
        new("GlobalAvgPool2d", OpSurface.Nn, 1, (g, a, x) => g.GlobalAvgPool2d(x[0])),
        new("MaxPool2d", OpSurface.Nn, 1, (g, a, x) => g.MaxPool2d(x[0], a.Ints[0], a.Ints[1], a.Ints[2]),
            Int("kernel"), Int("stride", defaultFrom: "kernel"), Int("padding")),
        new("AvgPool2d", OpSurface.Nn, 1, (g, a, x) => g.AvgPool2d(x[0], a.Ints[0], a.Ints[1], a.Ints[2]),
            Int("kernel"), Int("stride", defaultFrom: "kernel"), Int("padding")),
        new("Concat", OpSurface.Nn, -1, (g, a, x) => g.Concat(x, 1)) { Doc = "joined along the channels (axis 1)" },

        // ---- layout and sequences ----
        new("ConcatAxis", OpSurface.Nn, -1, (g, a, x) => g.Concat(x, a.Ints[0]), Int("axis"))
            { SurfaceName = "Concat", Doc = "Ints = [axis] (negative: from the end; not the batch axis)" },
        new("Stack", OpSurface.Nn, -1, (g, a, x) => g.Stack(x, a.Ints[0]), Int("axis"))
            { Doc = "Ints = [axis of the new axis in the result] (negative: from the end; not 0, the batch)" },
        new("Slice", OpSurface.Method, 1, (g, a, x) => g.Slice(x[0], a.Ints[0], a.Ints[1], a.Ints[2]), Int("axis"), Int("start"), Int("length"))
            { Doc = "Ints = [axis, start, length] (negative axis: from the end)" },
        new("Select", OpSurface.Method, 1, (g, a, x) => g.Select(x[0], a.Ints[0], a.Ints[1]), Int("axis"), Int("index"))
            { Doc = "Ints = [axis, index]: that entry, the axis removed" },
        // Tensor.Chunk returns every part: the reader makes one op per part (Interpreter.Arrays.cs).
        new("Chunk", OpSurface.Method, 1, (g, a, x) => g.Chunk(x[0], a.Ints[0], a.Ints[1], a.Ints[2]), Int("axis"), Int("count"))
            { Doc = "Ints = [axis, count, part]: that part of count equal parts along axis (negative: from the end)" },
        new("Reverse", OpSurface.Method, 1, (g, a, x) => g.Reverse(x[0], a.Ints[0]), Int("axis"))
            { Doc = "Ints = [axis] (negative: from the end; not the batch axis)" },
        new("SequenceMask", OpSurface.Nn, 2, (g, a, x) => g.SequenceMask(x[0], x[1]))
            { LabelOperands = new[] { 1 }, Doc = "operands: x [N, T, ...] and integer lengths [N]; steps at or past a length become zero" },
        // a built-in layer (settings read by Interpreter.Toolbox), over integer tokens
        new("Embedding", OpSurface.Layer, 1, (g, a, x) => Layers.Embedding(g, a.Name, x[0], a.Ints[0], a.Ints[1]))
            { HasParameters = true, LabelOperands = new[] { 0 }, Doc = "Name = path, Ints = [vocabulary, dimension]; operand: integer tokens" },

        // ---- Tensor methods ----
        new("Transpose", OpSurface.Method, 1, (g, a, x) => g.Transpose(x[0])),
        new("Flatten", OpSurface.Method, 1, (g, a, x) => g.Flatten(x[0])),
        new("Reshape", OpSurface.Method, 1, (g, a, x) => g.Reshape(x[0], a.Ints), Ints("shape", sizeCheck: "Reshape's target (per sample)"))
            { Doc = "Ints = target sizes, -1 = the batch dimension" },
        new("Sum", OpSurface.Method, 1, (g, a, x) => g.Sum(x[0], Axes(a)), Ints("axes")) { Doc = "Ints = axes (none: all)" },
        new("Mean", OpSurface.Method, 1, (g, a, x) => g.Mean(x[0], Axes(a)), Ints("axes")) { Doc = "Ints = axes (none: all)" },

        // ---- built-in layers (settings read from the constructor by the reader; see Interpreter.Toolbox) ----
        new("Dense", OpSurface.Layer, 1, (g, a, x) => Layers.Dense(g, a.Name, x[0], a.Ints[0], a.Ints[1], Activation(a), a.Flag))
            { HasParameters = true, Doc = "Name = path, Ints = [inputs, outputs], Option = activation, Flag = bias" },
        new("Conv2d", OpSurface.Layer, 1, (g, a, x) =>
                Layers.Conv2d(g, a.Name, x[0], a.Ints[0], a.Ints[1], a.Ints[2], a.Ints[3], a.Ints[4], a.Ints[5], a.Ints[6], Activation(a), a.Flag))
            { HasParameters = true, Doc = "Name = path, Ints = [in, out, kernel, stride, padding (Layers.SamePadding: same), dilation, groups], Option = activation, Flag = bias" },
        new("ConvTranspose2d", OpSurface.Layer, 1, (g, a, x) =>
                Layers.ConvTranspose2d(g, a.Name, x[0], a.Ints[0], a.Ints[1], a.Ints[2], a.Ints[3], a.Ints[4], a.Ints[5], a.Ints[6], a.Ints[7], Activation(a), a.Flag))
            { HasParameters = true, Doc = "Name = path, Ints = [in, out, kernel, stride, padding, output padding, dilation, groups], Option = activation, Flag = bias" },
        new("DepthwiseSeparableConv2d", OpSurface.Layer, 1, (g, a, x) =>
                Layers.DepthwiseSeparableConv2d(g, a.Name, x[0], a.Ints[0], a.Ints[1], a.Ints[2], a.Ints[3], a.Ints[4], a.Ints[5], Activation(a), a.Flag))
            { HasParameters = true, Doc = "Name = path, Ints = [in, out, kernel, stride, padding (Layers.SamePadding: same), dilation], Option = activation, Flag = bias" },
        new("BatchNorm2d", OpSurface.Layer, 1, (g, a, x) => Layers.BatchNorm2d(g, a.Name, x[0], a.Ints[0], a.Number, Epsilon(a)))
            { HasParameters = true, DependsOnMode = true, Doc = "Name = path, Ints = [channels], Number = momentum, Option = epsilon (round-trip text)" },
        new("BatchNorm1d", OpSurface.Layer, 1, (g, a, x) => Layers.BatchNorm1d(g, a.Name, x[0], a.Ints[0], a.Number, Epsilon(a)))
            { HasParameters = true, DependsOnMode = true, Doc = "Name = path, Ints = [features], Number = momentum, Option = epsilon (round-trip text)" },
        new("Dropout", OpSurface.Layer, 1, (g, a, x) => Layers.Dropout(g, a.Name, x[0], a.Number)) { DependsOnMode = true, Doc = "Name = path, Number = rate" },

        // ---- recurrent layers (settings read from the constructor; the method called picks the result) ----
        new("Rnn", OpSurface.Layer, -1, (g, a, x) => Recurrent(g, a, x, a.Option == "Relu" ? RecurrentCell.RnnRelu : RecurrentCell.RnnTanh))
            { HasParameters = true, Doc = RecurrentDoc + ", Option = nonlinearity (Tanh, Relu); operands x [, h0]" },
        new("Lstm", OpSurface.Layer, -1, (g, a, x) => Recurrent(g, a, x, RecurrentCell.Lstm))
            { HasParameters = true, Doc = RecurrentDoc + " (2: the final cell state); operands x [, h0, c0]" },
        new("Gru", OpSurface.Layer, -1, (g, a, x) => Recurrent(g, a, x, RecurrentCell.Gru))
            { HasParameters = true, Doc = RecurrentDoc + "; operands x [, h0]" },
    };

    private static readonly Dictionary<string, OpEntry> s_byName = Entries.ToDictionary(e => e.Name);

    /// <summary>The row named <paramref name="name"/> (what a traced op records); throws for a name not in the table.</summary>
    public static OpEntry Get(string name) =>
        s_byName.TryGetValue(name, out var entry) ? entry : throw new KeyNotFoundException($"'{name}' is not in the op table");

    /// <summary>The row written as <paramref name="surfaceName"/> on <paramref name="surface"/>, or null.</summary>
    public static OpEntry? Find(OpSurface surface, string surfaceName, int arity = -2) =>
        Entries.FirstOrDefault(e => (e.Surface & surface) != 0 && e.SurfaceName == surfaceName && (arity == -2 || e.Arity == arity));

    /// <summary>Every row written as <paramref name="surfaceName"/> on <paramref name="surface"/> (overloads are rows of their own), in table order.</summary>
    public static IEnumerable<OpEntry> FindAll(OpSurface surface, string surfaceName) =>
        Entries.Where(e => (e.Surface & surface) != 0 && e.SurfaceName == surfaceName);

    private const string RecurrentDoc =
        "Name = path, Ints = [inputSize, hiddenSize, layers, bidirectional (0/1), result (0: the output sequence, 1: the final hidden state), stateful (0/1, optional: carries its final states to the next call)], Flag = bias";

    /// <summary>Which result of a recurrent layer a traced call asks for (Ints[4]); the same layer and x give the same loops.</summary>
    private static Node Recurrent(GraphBuilder g, OpArgs a, Node[] x, RecurrentCell cell)
    {
        int states = cell == RecurrentCell.Lstm ? 2 : 1;
        if (x.Length < 1 || x.Length > 1 + states)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{cell} '{a.Name}': takes a sequence and {states} initial state(s) at most, got {x.Length} tensors");
        var result = Layers.Recurrent(g, cell, a.Name, x[0], a.Ints[0], a.Ints[1], a.Ints[2], a.Ints[3] != 0, a.Flag,
            x.Length > 1 ? x[1] : null, x.Length > 2 ? x[2] : null, stateful: a.Ints.Count > 5 && a.Ints[5] != 0);
        return a.Ints[4] switch
        {
            0 => result.Output,
            1 => result.FinalHidden,
            _ => result.FinalCell ?? throw new ShapeException(ShapeErrorKind.BadArgument, $"{cell} '{a.Name}': only an LSTM has a cell state"),
        };
    }

    private static int[]? Axes(OpArgs a) => a.Ints.Count == 0 ? null : a.Ints.ToArray();

    private static UnaryOp? Activation(OpArgs a) => Activations.Named(a.Option);

    private static double Epsilon(OpArgs a) => double.Parse(a.Option, CultureInfo.InvariantCulture);

    private static T ParseEnum<T>(string name) where T : struct =>
        Enum.TryParse<T>(name, out var value) ? value : throw new InvalidOperationException($"'{name}' is not a {typeof(T).Name}");
}
