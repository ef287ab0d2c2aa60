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

/// <summary>Our counterpart of torch's <c>nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2))</c>.</summary>
[Model]
public partial class TorchMlp
{
    readonly Dense first = new(3, 3, Activation.Relu);
    readonly Dense second = new(3, 2);

    public Tensor Forward([Input(3)] Tensor x) => second.Forward(first.Forward(x));

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Our counterpart of torch's <c>nn.Sequential(nn.Conv2d(1, 2, 2), nn.BatchNorm2d(2), nn.Flatten())</c> on 2x2 images.</summary>
[Model]
public partial class TorchConvBn
{
    readonly Conv2d conv = new(1, 2, 2);
    readonly BatchNorm2d norm = new(2);

    public Tensor Forward([Input(1, 2, 2)] Tensor image) => norm.Forward(conv.Forward(image)).Flatten();

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
