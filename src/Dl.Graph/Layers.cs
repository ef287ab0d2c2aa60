namespace Dl.Graph;

/// <summary>Activations a built-in layer can apply to its output.</summary>
public enum LayerActivation { None, Relu, Sigmoid, Tanh }

/// <summary>
/// Built-in layers, lowered to ops. A layer's parameters are named by its path in the model
/// ("encoder.hidden.weight"): using the same layer instance twice finds the same parameter nodes
/// (the builder interns them), which is weight sharing.
/// </summary>
public static partial class Layers
{
    /// <summary>y = act(x·W + b) with W: [inputs, outputs], b: [outputs]; x must be [N, inputs].</summary>
    public static Node Dense(GraphBuilder g, string path, Node x, int inputs, int outputs, LayerActivation activation = LayerActivation.None, bool bias = true)
    {
        if (inputs <= 0 || outputs <= 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Dense '{path}': sizes must be positive, got {inputs} -> {outputs}");
        if (x.Shape.Rank != 2)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"Dense '{path}' expects a rank-2 input [N,{inputs}], got rank {x.Shape.Rank} {x.Shape}");
        if (x.Shape[1] != Dim.Of(inputs))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"Dense '{path}' expects input [N,{inputs}], got {x.Shape}");
        var weight = g.Param(path + ".weight", new Shape(inputs, outputs), activation == LayerActivation.Relu ? Init.He : Init.Glorot);
        var y = g.MatMul(x, weight);
        if (bias) y = g.BiasAdd(y, g.Param(path + ".bias", new Shape(outputs), Init.Zeros));
        return Activate(g, y, activation);
    }

    public static Node Activate(GraphBuilder g, Node x, LayerActivation activation) => activation switch
    {
        LayerActivation.Relu => g.Relu(x),
        LayerActivation.Sigmoid => g.Sigmoid(x),
        LayerActivation.Tanh => g.Tanh(x),
        _ => x,
    };
}
