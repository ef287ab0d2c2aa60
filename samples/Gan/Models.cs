using Dl;

namespace Gan;

/// <summary>
/// The generator: 64 standard-normal numbers to a 28x28 digit with pixels in [-1, 1] (tanh: a sigmoid's flat tails
/// let the first generators saturate to one binary image whatever the noise).
/// </summary>
[Layer]
public class Generator
{
    public const int Noise = 64;
    readonly Dense hidden1 = new(Noise, 256);
    readonly Dense hidden2 = new(256, 512);
    readonly Dense pixels = new(512, 28 * 28, Activation.Tanh);

    public Tensor Forward(Tensor noise)
    {
        var h = hidden1.Forward(noise).LeakyRelu(0.2f);
        h = hidden2.Forward(h).LeakyRelu(0.2f);
        return pixels.Forward(h);
    }
}

/// <summary>
/// The discriminator: a digit (pixels in [-1, 1]) to one logit, "real" above 0. Dropout keeps it from winning
/// outright on 8,000 digits.
/// </summary>
[Layer]
public class Discriminator
{
    readonly Dense hidden1 = new(28 * 28, 512);
    readonly Dense hidden2 = new(512, 256);
    readonly Dense logit = new(256, 1);
    readonly Dropout drop = new(0.3f);

    public Tensor Forward(Tensor image)
    {
        var h = drop.Forward(hidden1.Forward(image).LeakyRelu(0.2f));
        h = drop.Forward(hidden2.Forward(h).LeakyRelu(0.2f));
        return logit.Forward(h);
    }
}

/// <summary>
/// The GAN as one model, written as PyTorch's tutorial writes it: Forward generates, and each player has its own
/// objective that trains only its own part. <c>TrainDiscriminatorLoss(noise, real, optimizer)</c> computes the
/// discriminator's gradients only (the generator's are not in its generated code) and steps the discriminator;
/// <c>TrainGeneratorLoss(noise, optimizer)</c> backpropagates through the discriminator into the generator and steps
/// the generator only. No gradient is copied by hand and no loss is faked.
/// </summary>
[Model]
public partial class MnistGan
{
    readonly Generator generator = new();
    readonly Discriminator discriminator = new();

    public Tensor Forward([Input(Generator.Noise)] Tensor noise) => generator.Forward(noise);

    /// <summary>
    /// Real digits should score 1 and generated ones 0. One-sided label smoothing (0.9 for real): a discriminator
    /// never quite certain keeps a gradient for the generator.
    /// </summary>
    [Objective(nameof(discriminator))]
    public Tensor DiscriminatorLoss(Tensor fake, [Input(28 * 28)] Tensor real)
    {
        var onReal = discriminator.Forward(real);
        var onFake = discriminator.Forward(fake);
        return Nn.BinaryCrossEntropy(onReal, onReal * 0f + 0.9f) + Nn.BinaryCrossEntropy(onFake, onFake * 0f);
    }

    /// <summary>The generator wins when its digits score 1 (the non-saturating loss).</summary>
    [Objective(nameof(generator))]
    public Tensor GeneratorLoss(Tensor fake)
    {
        var onFake = discriminator.Forward(fake);
        return Nn.BinaryCrossEntropy(onFake, onFake * 0f + 1f);
    }
}

/// <summary>
/// The judge of the generated digits: an MLP classifier trained on the real digits first (about 95% on the test
/// digits). The share of generated digits it names with confidence above 0.9, and how those spread over the ten
/// classes, say whether the generator draws digits, and all of them, rather than blobs or one digit only.
/// </summary>
[Model]
public partial class Judge
{
    readonly Dense hidden = new(28 * 28, 256, Activation.Relu);
    readonly Dense output = new(256, 10);

    public Tensor Forward([Input(28 * 28)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
