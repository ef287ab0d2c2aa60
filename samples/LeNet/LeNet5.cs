using Dl;

namespace LeNet;

/// <summary>
/// LeNet-5 with ReLU and max pooling, as the TorchSharp peer defines it: conv 6@5x5 (padding 2),
/// pool 2, conv 16@5x5, pool 2, then dense 400 -> 120 -> 84 -> 10, trained with softmax cross-entropy.
/// </summary>
[Model]
public partial class LeNet5
{
    readonly Conv2d conv1 = new(1, 6, 5, padding: 2, activation: Activation.Relu);   // [N,1,28,28] -> [N,6,28,28]
    readonly Conv2d conv2 = new(6, 16, 5, activation: Activation.Relu);              // [N,6,14,14] -> [N,16,10,10]
    readonly Dense fc1 = new(16 * 5 * 5, 120, Activation.Relu);
    readonly Dense fc2 = new(120, 84, Activation.Relu);
    readonly Dense fc3 = new(84, 10);

    public Tensor Forward([Input(1, 28, 28)] Tensor image)
    {
        var h = Nn.MaxPool2d(conv1.Forward(image), 2);   // [N,6,14,14]
        h = Nn.MaxPool2d(conv2.Forward(h), 2);           // [N,16,5,5]
        return fc3.Forward(fc2.Forward(fc1.Forward(h.Flatten())));
    }

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
