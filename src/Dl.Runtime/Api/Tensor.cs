using System;

namespace Dl;

/// <summary>
/// A symbolic tensor in a model's forward code. The generator reads the expressions written with it at
/// build time; nothing here runs at run time (the generated code replaces it), so every member throws.
/// Batch-first shapes; the batch dimension is written as -1 in <see cref="Reshape"/>.
/// </summary>
public partial class Tensor
{
    private protected Tensor() { }

    internal static Exception Symbolic() => new NotSupportedException(
        "Dl.Tensor is symbolic: a model's Forward and Loss are compiled at build time. Call the generated Predict or TrainStep instead.");

    public static Tensor operator +(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator +(Tensor a, float b) => throw Symbolic();
    public static Tensor operator +(float a, Tensor b) => throw Symbolic();
    public static Tensor operator -(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator -(Tensor a, float b) => throw Symbolic();
    public static Tensor operator -(float a, Tensor b) => throw Symbolic();
    public static Tensor operator *(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator *(Tensor a, float b) => throw Symbolic();
    public static Tensor operator *(float a, Tensor b) => throw Symbolic();
    public static Tensor operator /(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator /(Tensor a, float b) => throw Symbolic();
    public static Tensor operator /(float a, Tensor b) => throw Symbolic();
    public static Tensor operator -(Tensor a) => throw Symbolic();

    /// <summary>Matrix product [M,K] x [K,N] -> [M,N].</summary>
    public Tensor MatMul(Tensor other) => throw Symbolic();
    /// <summary>Swaps the axes of a matrix.</summary>
    public Tensor Transpose() => throw Symbolic();
    /// <summary>New shape with the same element count; -1 marks the batch dimension.</summary>
    public Tensor Reshape(params int[] shape) => throw Symbolic();
    /// <summary>[N, ...] -> [N, product of the rest].</summary>
    public Tensor Flatten() => throw Symbolic();
    /// <summary>Sum over the given axes (all when none), dropping them.</summary>
    public Tensor Sum(params int[] axes) => throw Symbolic();
    /// <summary>Mean over the given axes (all when none), dropping them.</summary>
    public Tensor Mean(params int[] axes) => throw Symbolic();
    public Tensor Relu() => throw Symbolic();
    public Tensor Sigmoid() => throw Symbolic();
    public Tensor Tanh() => throw Symbolic();
    public Tensor Exp() => throw Symbolic();
    public Tensor Log() => throw Symbolic();
    /// <summary>Softmax over the last axis.</summary>
    public Tensor Softmax() => throw Symbolic();
    /// <summary>Log-softmax over the last axis.</summary>
    public Tensor LogSoftmax() => throw Symbolic();
}

/// <summary>Integer class labels, one per row of a batch: a <c>[N]</c> tensor of class indices.</summary>
public sealed class Labels
{
    private Labels() { }
}

/// <summary>A trainable parameter of a model or layer, declared as a field: <c>readonly Param w = new(Init.He, 8, 8);</c></summary>
public sealed class Param : Tensor
{
    /// <summary>A parameter of the given shape, Glorot-initialised.</summary>
    public Param(params int[] shape) : this(Init.Glorot, shape) { }

    public Param(Init init, params int[] shape)
    {
        Init = init;
        Shape = shape;
    }

    public Init Init { get; }
    public int[] Shape { get; }
}

/// <summary>How a parameter's initial values are drawn from the model's seed.</summary>
public enum Init
{
    /// <summary>Uniform(-a, a), a = sqrt(6 / (fanIn + fanOut)).</summary>
    Glorot,
    /// <summary>Normal(0, sqrt(2 / fanIn)), for ReLU layers.</summary>
    He,
    Zeros,
    Ones,
}

/// <summary>Activation applied by a built-in layer.</summary>
public enum Activation { None, Relu, Sigmoid, Tanh }
