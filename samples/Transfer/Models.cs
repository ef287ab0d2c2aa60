using Dl;

namespace Transfer;

/// <summary>
/// LeNet-5 (as samples/LeNet) with five outputs, trained on the digits 0-4: the model whose convolutions are reused.
/// Its checkpoint holds conv1.*, conv2.* and fc1.*, fc2.*, fc3.*.
/// </summary>
[Model]
public partial class LowDigitsLeNet
{
    readonly Conv2d conv1 = new(1, 6, 5, padding: 2, activation: Activation.Relu);   // [N,1,28,28] -> [N,6,28,28]
    readonly Conv2d conv2 = new(6, 16, 5, activation: Activation.Relu);              // [N,6,14,14] -> [N,16,10,10]
    readonly Dense fc1 = new(16 * 5 * 5, 120, Activation.Relu);
    readonly Dense fc2 = new(120, 84, Activation.Relu);
    readonly Dense fc3 = new(84, 5);

    public Tensor Forward([Input(1, 28, 28)] Tensor image)
    {
        var h = Nn.MaxPool2d(conv1.Forward(image), 2);   // [N,6,14,14]
        h = Nn.MaxPool2d(conv2.Forward(h), 2);           // [N,16,5,5]
        return fc3.Forward(fc2.Forward(fc1.Forward(h.Flatten())));
    }

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>
/// The same two convolutions under the same names, so a checkpoint of <see cref="LowDigitsLeNet"/> fills them, and a
/// new, smaller head (head1, head2) for the digits 5-9 (labels 0-4 stand for 5-9), which no checkpoint has: trained
/// from its random start. Trained from scratch, it is the baseline.
/// </summary>
[Model]
public partial class HighDigitsNet
{
    readonly Conv2d conv1 = new(1, 6, 5, padding: 2, activation: Activation.Relu);
    readonly Conv2d conv2 = new(6, 16, 5, activation: Activation.Relu);
    readonly Dense head1 = new(16 * 5 * 5, 84, Activation.Relu);
    readonly Dense head2 = new(84, 5);

    public Tensor Forward([Input(1, 28, 28)] Tensor image)
    {
        var h = Nn.MaxPool2d(conv1.Forward(image), 2);
        h = Nn.MaxPool2d(conv2.Forward(h), 2);
        return head2.Forward(head1.Forward(h.Flatten()));
    }

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
