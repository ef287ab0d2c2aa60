using Dl;

namespace Dl.Models.Tests.Models;

// Also compiled into Dl.Gpu.Tests (linked from its .csproj), where the generator adds each model's Gpu class.

/// <summary>A residual block with its own parameters; one instance used three times shares them.</summary>
[Layer]
public partial class Residual(int width)
{
    readonly Dense inner = new(width, width, Activation.Relu);
    readonly Param scale = new(Init.Ones, width);

    public Tensor Forward(Tensor x) => x + inner.Forward(x) * scale;
}

/// <summary>Regression with tanh, a shared residual block in a constant-bound loop, and MSE.</summary>
[Model]
public partial class ResidualRegressor
{
    const int Width = 8;
    const int Blocks = 3;
    readonly Dense input = new(6, Width, Activation.Tanh);
    readonly Residual block = new(Width);
    readonly Dense head = new(Width, 2);

    public Tensor Forward([Input(6)] Tensor x)
    {
        var h = input.Forward(x);
        for (int i = 0; i < Blocks; i++)
            h = block.Forward(h);
        return head.Forward(h);
    }

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
