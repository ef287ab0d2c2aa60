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

/// <summary>
/// The peer's LeNet-5: [B,1,28,28], Conv2d(1,6,5,pad 2), ReLU, MaxPool 2, Conv2d(6,16,5), ReLU, MaxPool 2,
/// flatten (400), Linear(400,120), ReLU, Linear(120,84), ReLU, Linear(84,10), cross-entropy on logits.
/// </summary>
[Model]
public partial class BenchLeNet
{
    readonly Conv2d conv1 = new(1, 6, 5, padding: 2, activation: Activation.Relu);
    readonly Conv2d conv2 = new(6, 16, 5, activation: Activation.Relu);
    readonly Dense fc1 = new(16 * 5 * 5, 120, Activation.Relu);
    readonly Dense fc2 = new(120, 84, Activation.Relu);
    readonly Dense fc3 = new(84, 10);

    public Tensor Forward([Input(1, 28, 28)] Tensor image)
    {
        var h = Nn.MaxPool2d(conv1.Forward(image), 2);
        h = Nn.MaxPool2d(conv2.Forward(h), 2);
        return fc3.Forward(fc2.Forward(fc1.Forward(h.Flatten())));
    }

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
