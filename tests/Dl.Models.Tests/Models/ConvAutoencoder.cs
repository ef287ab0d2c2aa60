using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>A convolutional autoencoder for 28x28 digits: two strided convolutions down to 16x7x7, two transposed convolutions back up.</summary>
[Model]
public partial class ConvAutoencoder
{
    readonly Conv2d down1 = new(1, 8, 3, stride: 2, padding: 1, activation: Activation.Relu);                     // 28 -> 14
    readonly Conv2d down2 = new(8, 16, 3, stride: 2, padding: 1, activation: Activation.Relu);                    // 14 -> 7
    readonly ConvTranspose2d up1 = new(16, 8, 3, stride: 2, padding: 1, outputPadding: 1, activation: Activation.Relu);   // 7 -> 14
    readonly ConvTranspose2d up2 = new(8, 1, 3, stride: 2, padding: 1, outputPadding: 1);                          // 14 -> 28

    public Tensor Forward([Input(1, 28, 28)] Tensor image) => up2.Forward(up1.Forward(down2.Forward(down1.Forward(image))));

    public Tensor Loss(Tensor reconstruction, Tensor target) => Nn.Mse(reconstruction, target);
}
