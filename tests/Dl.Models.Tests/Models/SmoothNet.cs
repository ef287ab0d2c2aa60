using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>A smooth classifier (tanh only), for finite differences straight on the compiled model.</summary>
[Model]
public partial class SmoothNet
{
    readonly Dense hidden = new(6, 8, Activation.Tanh);
    readonly Dense output = new(8, 3);

    public Tensor Forward([Input(6)] Tensor x) => output.Forward(hidden.Forward(x));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
