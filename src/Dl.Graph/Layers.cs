namespace Dl.Graph;

/// <summary>
/// The activation a built-in layer applies: the op of a member of the API's <c>Dl.Activation</c>
/// (the one enum a model is written with), found by the member's name. A layer's activation is a
/// unary op, so fusion and the emitters see the same op a model's own <c>Relu(x)</c> gives.
/// </summary>
public static class Activations
{
    /// <summary>The op of <c>Dl.Activation.{name}</c>; null for <c>None</c>.</summary>
    public static UnaryOp? Named(string name) => name switch
    {
        "None" => null,
        "Relu" => new ReluOp(),
        "Sigmoid" => new SigmoidOp(),
        "Tanh" => new TanhOp(),
        _ => throw new System.ArgumentException($"no activation named '{name}'", nameof(name)),
    };
}

/// <summary>
/// Built-in layers, lowered to ops. A layer's parameters are named by its path in the model
/// ("encoder.hidden.weight"): using the same layer instance twice finds the same parameter nodes
/// (the builder interns them), which is weight sharing.
/// </summary>
public static partial class Layers
{
    /// <summary>y = act(x·W + b) with W: [inputs, outputs], b: [outputs]; x must be [N, inputs].</summary>
    public static Node Dense(GraphBuilder g, string path, Node x, int inputs, int outputs, UnaryOp? activation = null, bool bias = true)
    {
        if (inputs <= 0 || outputs <= 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Dense '{path}': sizes must be positive, got {inputs} -> {outputs}");
        if (x.Shape.Rank != 2)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"Dense '{path}' expects a rank-2 input [N,{inputs}], got rank {x.Shape.Rank} {x.Shape}");
        if (x.Shape[1] != Dim.Of(inputs))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"Dense '{path}' expects input [N,{inputs}], got {x.Shape}");
        var weight = g.Param(path + ".weight", new Shape(inputs, outputs), activation is ReluOp ? Init.He : Init.Glorot);
        var y = g.MatMul(x, weight);
        if (bias) y = g.BiasAdd(y, g.Param(path + ".bias", new Shape(outputs), Init.Zeros));
        return Activate(g, y, activation);
    }

    /// <summary>activation(x), or x when there is none.</summary>
    public static Node Activate(GraphBuilder g, Node x, UnaryOp? activation) => activation is null ? x : g.Apply(activation, x);
}
