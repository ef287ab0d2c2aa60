using Dl;

namespace Adversarial;

/// <summary>
/// LeNet-5 whose input asks for its gradient: <c>Gradient = true</c> makes the generator emit
/// <c>InputGradient(image, label, imageGradient)</c>, the loss's gradient with respect to the pixels.
/// </summary>
[Model]
public partial class RobustLeNet
{
    readonly Conv2d conv1 = new(1, 6, 5, padding: 2, activation: Activation.Relu);
    readonly Conv2d conv2 = new(6, 16, 5, activation: Activation.Relu);
    readonly Dense fc1 = new(16 * 5 * 5, 120, Activation.Relu);
    readonly Dense fc2 = new(120, 84, Activation.Relu);
    readonly Dense fc3 = new(84, 10);

    public Tensor Forward([Input(1, 28, 28, Gradient = true)] Tensor image)
    {
        var h = Nn.MaxPool2d(conv1.Forward(image), 2);
        h = Nn.MaxPool2d(conv2.Forward(h), 2);
        return fc3.Forward(fc2.Forward(fc1.Forward(h.Flatten())));
    }

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
