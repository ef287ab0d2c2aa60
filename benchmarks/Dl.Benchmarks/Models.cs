using Dl;

namespace Dl.Benchmarks;

/// <summary>The peer's MLP: Linear(784,128), ReLU, Linear(128,10), cross-entropy on logits.</summary>
[Model]
public partial class BenchMlp
{
    readonly Dense hidden = new(784, 128, Activation.Relu);
    readonly Dense output = new(128, 10);

    public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
