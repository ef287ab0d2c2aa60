namespace Dl;

/// <summary>
/// A fully connected layer: <c>y = activation(x·W + b)</c>, x: [N, inputs], W: [inputs, outputs].
/// Parameters are named <c>&lt;field&gt;.weight</c> and <c>&lt;field&gt;.bias</c>; W is He-initialised
/// under ReLU and Glorot otherwise, b starts at zero. Arguments must be compile-time constants.
/// </summary>
public sealed class Dense
{
    /// <summary>Declares the layer as a field of a model or layer: <c>readonly Dense hidden = new(784, 128, Activation.Relu);</c></summary>
    /// <param name="inputs">Features in, the last axis of the input.</param>
    /// <param name="outputs">Features out.</param>
    /// <param name="activation">Applied after the bias (fused into the matrix product's epilogue).</param>
    /// <param name="bias">Whether the layer has the bias vector b.</param>
    public Dense(int inputs, int outputs, Activation activation = Activation.None, bool bias = true)
    {
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        Bias = bias;
    }

    /// <summary>Features in (rows of W).</summary>
    public int Inputs { get; }

    /// <summary>Features out (columns of W).</summary>
    public int Outputs { get; }

    /// <summary>The activation applied after the bias.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer adds a bias.</summary>
    public bool Bias { get; }

    /// <summary>Applies the layer to <paramref name="x"/>; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="x">[N, <see cref="Inputs"/>].</param>
    /// <returns>[N, <see cref="Outputs"/>].</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}
