using Dl;

namespace Dl.Models.Tests.Models;

// Also compiled into Dl.Gpu.Tests (linked from its .csproj), where the generator adds each model's Gpu class.

/// <summary>A small classifier: 12 -> 16 (ReLU) -> 5, cross-entropy (the MNIST MLP's shape of plan, small enough for the GPU emulator).</summary>
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
