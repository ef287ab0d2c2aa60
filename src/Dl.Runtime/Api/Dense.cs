namespace Dl;

/// <summary>
/// A fully connected layer: <c>y = activation(x·W + b)</c>, x: [N, inputs], W: [inputs, outputs].
/// Parameters are named <c>&lt;field&gt;.weight</c> and <c>&lt;field&gt;.bias</c>; W is He-initialised
/// under ReLU and Glorot otherwise, b starts at zero. Arguments must be compile-time constants.
/// </summary>
public sealed class Dense
{
    public Dense(int inputs, int outputs, Activation activation = Activation.None, bool bias = true)
    {
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        Bias = bias;
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public Activation Activation { get; }
    public bool Bias { get; }

    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}
