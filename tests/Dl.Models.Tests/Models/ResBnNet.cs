using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>A residual block: x + BN(conv(relu(BN(conv(x))))), then ReLU; the identity path is a plain addition.</summary>
[Layer]
public partial class ResidualBlock(int channels)
{
    readonly Conv2d conv1 = new(channels, channels, 3, padding: 1, bias: false);
    readonly BatchNorm2d bn1 = new(channels);
    readonly Conv2d conv2 = new(channels, channels, 3, padding: 1, bias: false);
    readonly BatchNorm2d bn2 = new(channels);

    public Tensor Forward(Tensor x) => Nn.Relu(x + bn2.Forward(conv2.Forward(Nn.Relu(bn1.Forward(conv1.Forward(x))))));
}

/// <summary>
/// A small residual CNN with batch norm (2-D and 1-D) and dropout, for MNIST at 14x14: both modes
/// of both layers, running averages as state, residual additions through a user [Layer].
/// </summary>
[Model]
public partial class ResBnNet
{
    const int Width = 8;
    readonly Conv2d stem = new(1, Width, 3, padding: 1, bias: false);
    readonly BatchNorm2d stemNorm = new(Width);
    readonly ResidualBlock block1 = new(Width);
    readonly ResidualBlock block2 = new(Width);
    readonly Dense hidden = new(Width * 7 * 7, 32);
    readonly BatchNorm1d hiddenNorm = new(32);
    readonly Dropout drop = new(0.2f);
    readonly Dense output = new(32, 10);

    public Tensor Forward([Input(1, 14, 14)] Tensor image)
    {
        var h = Nn.Relu(stemNorm.Forward(stem.Forward(image)));
        h = block1.Forward(h);
        h = Nn.MaxPool2d(block2.Forward(h), 2);                               // [N,8,7,7]
        var f = drop.Forward(Nn.Relu(hiddenNorm.Forward(hidden.Forward(h.Flatten()))));
        return output.Forward(f);
    }

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
