using Dl;

namespace Autoencoder;

/// <summary>
/// A convolutional denoising autoencoder: two 3x3 convolutions, each followed by 2x2 max pooling, squeeze a noisy
/// digit to 32 maps of 7x7 (1,568 values, twice the 784 pixels but far fewer degrees of freedom per location); two
/// stride-2 transposed convolutions bring it back to 28x28. The output is per-pixel logits, trained with binary
/// cross-entropy against the clean digit (pixels in [0, 1]); a sigmoid of Predict's output is the picture.
/// </summary>
[Model]
public partial class DenoisingAutoencoder
{
    readonly Conv2d enc1 = new(1, 16, 3, padding: 1, activation: Activation.Relu);    // [N,1,28,28] -> [N,16,28,28]
    readonly Conv2d enc2 = new(16, 32, 3, padding: 1, activation: Activation.Relu);   // [N,16,14,14] -> [N,32,14,14]
    readonly ConvTranspose2d dec1 = new(32, 16, 2, stride: 2, activation: Activation.Relu);   // [N,32,7,7] -> [N,16,14,14]
    readonly ConvTranspose2d dec2 = new(16, 1, 2, stride: 2);                                 // [N,16,14,14] -> [N,1,28,28]

    public Tensor Forward([Input(1, 28, 28)] Tensor noisy)
    {
        var h = Nn.MaxPool2d(enc1.Forward(noisy), 2);   // [N,16,14,14]
        h = Nn.MaxPool2d(enc2.Forward(h), 2);           // [N,32,7,7]
        return dec2.Forward(dec1.Forward(h));
    }

    public Tensor Loss(Tensor logits, [Input(1, 28, 28)] Tensor clean) => Nn.BinaryCrossEntropy(logits, clean);
}

/// <summary>
/// A dense variational autoencoder (Kingma and Welling; PyTorch's VAE example with a 16-dimensional code): 784 -> 400 ->
/// (mu, logVar) of 16 each; z = mu + exp(logVar / 2) * noise; 16 -> 400 -> 784 pixel logits. The output joins the
/// logits, mu and logVar ([N, 784 + 16 + 16]) so the loss can read all three. The loss is the negative ELBO per digit in
/// nats: the binary cross-entropy summed over the 784 pixels (the op averages, hence the factor) plus the KL term.
/// </summary>
[Model]
public partial class Vae
{
    public const int Code = 16, Pixels = 784;

    readonly Dense encoder = new(Pixels, 400, Activation.Relu);
    readonly Dense toMu = new(400, Code);
    readonly Dense toLogVar = new(400, Code);
    // The decoder's names are VaeDecoder's: a checkpoint of this model fills that one by name.
    readonly Dense decoderHidden = new(Code, 400, Activation.Relu);
    readonly Dense decoderOutput = new(400, Pixels);

    public Tensor Forward([Input(Pixels)] Tensor image)
    {
        var h = encoder.Forward(image);
        var mu = toMu.Forward(h);
        var logVar = toLogVar.Forward(h);
        var z = mu + Nn.Exp(0.5f * logVar) * Nn.RandomNormal(mu);
        return Nn.Concat(-1, decoderOutput.Forward(decoderHidden.Forward(z)), mu, logVar);
    }

    public Tensor Loss(Tensor y, [Input(Pixels)] Tensor target) =>
        (float)Pixels * Nn.BinaryCrossEntropy(y.Slice(1, 0, Pixels), target) + Nn.KlDivergence(y.Slice(1, Pixels, Code), y.Slice(1, Pixels + Code, Code));
}

/// <summary>
/// The decoder half of <see cref="Vae"/> on its own, so codes drawn from the prior N(0, 1) can be decoded (the VAE's
/// Predict always encodes an image first). Its parameters have the VAE decoder's names; a non-strict load of a VAE
/// checkpoint fills all of them and skips the encoder's.
/// </summary>
[Model]
public partial class VaeDecoder
{
    readonly Dense decoderHidden = new(Vae.Code, 400, Activation.Relu);
    readonly Dense decoderOutput = new(400, Vae.Pixels);

    public Tensor Forward([Input(Vae.Code)] Tensor code) => decoderOutput.Forward(decoderHidden.Forward(code));

    public Tensor Loss(Tensor logits, [Input(Vae.Pixels)] Tensor target) => Nn.BinaryCrossEntropy(logits, target);
}
