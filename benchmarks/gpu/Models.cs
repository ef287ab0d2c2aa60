using Dl;

namespace Bench;

/// <summary>The README's MNIST model, 784-128-10 with ReLU and cross-entropy: PyTorch's "mlp" in torch_gpu.py.</summary>
[Model]
public partial class MnistMlp
{
    readonly Dense hidden = new(784, 128, Activation.Relu);
    readonly Dense output = new(128, 10);

    public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
