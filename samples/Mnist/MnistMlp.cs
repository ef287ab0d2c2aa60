using Dl;

namespace Mnist;

/// <summary>The README's model: 784 -> 128 (ReLU) -> 10, trained with softmax cross-entropy.</summary>
[Model]
public partial class MnistMlp
{
    readonly Dense hidden = new(784, 128, Activation.Relu);
    readonly Dense output = new(128, 10);

    public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
