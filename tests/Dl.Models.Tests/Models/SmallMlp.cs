using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>A small classifier: 12 -> 16 (ReLU) -> 5, cross-entropy.</summary>
[Model]
public partial class SmallMlp
{
    readonly Dense hidden = new(12, 16, Activation.Relu);
    readonly Dense output = new(16, 5);

    public Tensor Forward([Input(12)] Tensor x) => output.Forward(hidden.Forward(x));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>The MNIST model of the README.</summary>
[Model]
public partial class MnistMlp
{
    readonly Dense hidden = new(784, 128, Activation.Relu);
    readonly Dense output = new(128, 10);

    public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>A smooth classifier (tanh only), for finite differences straight on the compiled model.</summary>
[Model]
public partial class SmoothNet
{
    readonly Dense hidden = new(6, 8, Activation.Tanh);
    readonly Dense output = new(8, 3);

    public Tensor Forward([Input(6)] Tensor x) => output.Forward(hidden.Forward(x));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
