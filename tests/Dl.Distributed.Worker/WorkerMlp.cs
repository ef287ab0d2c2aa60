using Dl;

namespace Dl.Distributed.Worker;

/// <summary>The README's MNIST MLP (as in samples/Mnist): 784 -> 128 (ReLU) -> 10, softmax cross-entropy.</summary>
[Model]
public partial class WorkerMlp
{
    readonly Dense hidden = new(784, 128, Activation.Relu);
    readonly Dense output = new(128, 10);

    public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
