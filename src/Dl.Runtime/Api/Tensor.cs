using System;

namespace Dl;

/// <summary>
/// A symbolic tensor in a model's forward code. The generator reads the expressions written with it at
/// build time; nothing here runs at run time (the generated code replaces it), so every member throws
/// <see cref="NotSupportedException"/>. Batch-first shapes; the batch dimension is written as -1 in
/// <see cref="Reshape"/>. Shape mistakes are build errors (DL0001, DL0002) at the expression.
/// </summary>
public partial class Tensor
{
    private protected Tensor() { }

    internal static Exception Symbolic() => new NotSupportedException(
        "Dl.Tensor is symbolic: a model's Forward and Loss are compiled at build time. Call the generated Predict or TrainStep instead.");

    /// <summary>a + b, elementwise with NumPy broadcasting (shapes align on the right; a size of 1 stretches).</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator +(Tensor a, Tensor b) => throw Symbolic();

    /// <summary>a + b for every element of <paramref name="a"/>.</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A constant.</param>
    public static Tensor operator +(Tensor a, float b) => throw Symbolic();

    /// <summary>a + b for every element of <paramref name="b"/>.</summary>
    /// <param name="a">A constant.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator +(float a, Tensor b) => throw Symbolic();

    /// <summary>a - b, elementwise with broadcasting.</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator -(Tensor a, Tensor b) => throw Symbolic();

    /// <summary>a - b for every element of <paramref name="a"/>.</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A constant.</param>
    public static Tensor operator -(Tensor a, float b) => throw Symbolic();

    /// <summary>a - b for every element of <paramref name="b"/>.</summary>
    /// <param name="a">A constant.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator -(float a, Tensor b) => throw Symbolic();

    /// <summary>a · b, elementwise with broadcasting (not a matrix product: see <see cref="MatMul"/>).</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator *(Tensor a, Tensor b) => throw Symbolic();

    /// <summary>a · b for every element of <paramref name="a"/>.</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A constant.</param>
    public static Tensor operator *(Tensor a, float b) => throw Symbolic();

    /// <summary>a · b for every element of <paramref name="b"/>.</summary>
    /// <param name="a">A constant.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator *(float a, Tensor b) => throw Symbolic();

    /// <summary>a / b, elementwise with broadcasting.</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator /(Tensor a, Tensor b) => throw Symbolic();

    /// <summary>a / b for every element of <paramref name="a"/>.</summary>
    /// <param name="a">A tensor.</param>
    /// <param name="b">A constant.</param>
    public static Tensor operator /(Tensor a, float b) => throw Symbolic();

    /// <summary>a / b for every element of <paramref name="b"/>.</summary>
    /// <param name="a">A constant.</param>
    /// <param name="b">A tensor.</param>
    public static Tensor operator /(float a, Tensor b) => throw Symbolic();

    /// <summary>-a, elementwise.</summary>
    /// <param name="a">A tensor.</param>
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
    /// <summary>max(x, 0), elementwise.</summary>
    public Tensor Relu() => throw Symbolic();
    /// <summary>1 / (1 + exp(-x)), elementwise.</summary>
    public Tensor Sigmoid() => throw Symbolic();
    /// <summary>tanh(x), elementwise.</summary>
    public Tensor Tanh() => throw Symbolic();
    /// <summary>e^x, elementwise.</summary>
    public Tensor Exp() => throw Symbolic();
    /// <summary>The natural logarithm ln(x), elementwise.</summary>
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

    /// <summary>A parameter of the given shape, initialised as <paramref name="init"/> says.</summary>
    /// <param name="init">How its initial values are drawn from the model's seed.</param>
    /// <param name="shape">Its sizes (no batch axis); compile-time constants.</param>
    public Param(Init init, params int[] shape)
    {
        Init = init;
        Shape = shape;
    }

    /// <summary>How the initial values are drawn.</summary>
    public Init Init { get; }

    /// <summary>The parameter's sizes.</summary>
    public int[] Shape { get; }
}

/// <summary>How a parameter's initial values are drawn from the model's seed.</summary>
public enum Init
{
    /// <summary>Uniform(-a, a), a = sqrt(6 / (fanIn + fanOut)).</summary>
    Glorot,
    /// <summary>Normal(0, sqrt(2 / fanIn)), for ReLU layers.</summary>
    He,
    /// <summary>All zeros (biases, batch norm's beta).</summary>
    Zeros,
    /// <summary>All ones (batch norm's gamma).</summary>
    Ones,
    /// <summary>Uniform(-1/√H, 1/√H) with H the first size: PyTorch's init of <c>nn.RNN</c>'s weights and biases ([H, in], [H]).</summary>
    RnnUniform,
    /// <summary>Uniform(-1/√H, 1/√H) with H the first size / 4 (the LSTM's gates i, f, g, o): PyTorch's <c>nn.LSTM</c> init.</summary>
    LstmUniform,
    /// <summary>Uniform(-1/√H, 1/√H) with H the first size / 3 (the GRU's gates r, z, n): PyTorch's <c>nn.GRU</c> init.</summary>
    GruUniform,
}

/// <summary>Activation applied by a built-in layer.</summary>
public enum Activation
{
    /// <summary>None: the layer is affine.</summary>
    None,
    /// <summary>max(x, 0); weights He-initialised.</summary>
    Relu,
    /// <summary>1 / (1 + exp(-x)).</summary>
    Sigmoid,
    /// <summary>tanh(x).</summary>
    Tanh,
}
