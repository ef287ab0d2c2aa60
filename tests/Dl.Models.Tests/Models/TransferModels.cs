using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>One 32 -> 8 dense layer: 256 weights and 8 biases (264 parameters) in an array padded to a multiple of 16 floats.</summary>
[Model]
public partial class Dense32To8
{
    readonly Dense layer = new(32, 8);

    public Tensor Forward([Input(32)] Tensor x) => layer.Forward(x);

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
