using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Graph;

/// <summary>How a parameter's initial values are drawn (fan-in/fan-out from its shape).</summary>
public enum Init
{
    /// <summary>Uniform(-a, a), a = sqrt(6 / (fanIn + fanOut)): for sigmoid/tanh/linear layers.</summary>
    Glorot,
    /// <summary>Normal(0, sqrt(2 / fanIn)): for ReLU layers.</summary>
    He,
    Zeros,
    Ones,
    /// <summary>Uniform(-1/√H, 1/√H), H = the first size (PyTorch's init of every nn.RNN weight and bias).</summary>
    RnnUniform,
    /// <summary>Uniform(-1/√H, 1/√H), H = the first size / 4 (the LSTM's four gate blocks; PyTorch's nn.LSTM init).</summary>
    LstmUniform,
    /// <summary>Uniform(-1/√H, 1/√H), H = the first size / 3 (the GRU's three gate blocks; PyTorch's nn.GRU init).</summary>
    GruUniform,
}

/// <summary>Base of ops without inputs: the shape is an attribute.</summary>
public abstract class SourceOp : Op
{
    protected SourceOp(Shape shape, DType type) { Shape = shape; Type = type; }
    public Shape Shape { get; }
    public DType Type { get; }
    public override OpClass Class => OpClass.Source;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => (Shape, Type);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) => Array.Empty<Node?>();
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context) =>
        throw new InvalidOperationException($"{Key} has no value of its own: the evaluator binds it");
}

/// <summary>A model input (a batch of images, labels, targets), bound at each call.</summary>
public sealed class InputOp : SourceOp
{
    public InputOp(string name, Shape shape, DType type) : base(shape, type) => InputName = name;
    public string InputName { get; }
    public override string Name => "Input";
    public override string Attributes => $"{InputName} {Shape}{(Type == DType.Int32 ? " i32" : "")}";
}

/// <summary>A trainable parameter, named by its path in the model ("hidden.weight").</summary>
public sealed class ParamOp : SourceOp
{
    public ParamOp(string name, Shape shape, Init init) : base(shape, DType.Float32)
    {
        if (shape.HasBatch)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"parameter '{name}' cannot have the batch dimension in its shape {shape}");
        ParamName = name;
        Init = init;
    }

    public string ParamName { get; }
    public Init Init { get; }
    public override string Name => "Param";
    public override string Attributes => $"{ParamName} {Shape} {Init}";
}

/// <summary>A tensor filled with one value (scalars are rank 0 and broadcast anywhere).</summary>
public sealed class ConstantOp : SourceOp
{
    public ConstantOp(double value, Shape shape) : base(shape, DType.Float32) => Value = value;
    public double Value { get; }
    public override string Name => "Const";
    public override string Attributes => Value.ToString("R", CultureInfo.InvariantCulture) + (Shape.Rank == 0 ? "" : " " + Shape);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context)
    {
        var t = TensorValue.Zeros(Shape.Resolve(context.Batch));
        for (int i = 0; i < t.Length; i++) t[i] = Value;
        return t;
    }
}

public sealed partial class GraphBuilder
{
    public Node Input(string name, Shape shape, DType type = DType.Float32) => Apply(new InputOp(name, shape, type));
    /// <summary>A parameter by name; the same name again is the same node (shared weights), and must agree in shape and init.</summary>
    public Node Param(string name, Shape shape, Init init)
    {
        if (ParamSource is { } source) return source(name, shape, init);
        foreach (var n in Nodes)
            if (n.Op is ParamOp p && p.ParamName == name && (!p.Shape.Equals(shape) || p.Init != init))
                throw new ShapeException(ShapeErrorKind.Mismatch, $"parameter '{name}' is declared twice: as {p.Shape} {p.Init} and as {shape} {init}");
        return Apply(new ParamOp(name, shape, init));
    }
    public Node Constant(double value, Shape? shape = null) => Apply(new ConstantOp(value, shape ?? Shape.Scalar));

    /// <summary>A model input of per-sample sizes <paramref name="sample"/> (all positive): [N, ...sample].</summary>
    public Node Input(string name, IReadOnlyList<int> sample, DType type) =>
        Input(name, new Shape(new[] { Dim.Batch }.Concat(StaticShape($"input '{name}'", sample))), type);

    /// <summary>A parameter of sizes <paramref name="sizes"/> (all positive).</summary>
    public Node Param(string name, IReadOnlyList<int> sizes, Init init) => Param(name, StaticShape($"parameter '{name}'", sizes), init);

    /// <summary>Integer labels for <paramref name="logits"/>: its shape without the classes' (last) axis.</summary>
    public Node LabelsFor(string name, Node logits)
    {
        if (logits.Shape.Rank < 1)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"labels '{name}': Forward's output is a scalar; labels need outputs with classes on a last axis");
        return Input(name, new Shape(logits.Shape.Take(logits.Shape.Rank - 1)), DType.Int32);
    }

    private static Shape StaticShape(string what, IReadOnlyList<int> dims)
    {
        if (dims.Any(d => d <= 0))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{what}: sizes must be positive, got [{string.Join(",", dims)}]");
        return new Shape(dims.Select(Dim.Of));
    }
}
