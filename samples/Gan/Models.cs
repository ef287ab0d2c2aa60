using Dl;

namespace Gan;

/// <summary>
/// The generator: 64 standard-normal numbers to a 28x28 digit with pixels in [-1, 1] (tanh: a sigmoid's flat tails
/// let the first generators saturate to one binary image whatever the noise). It has no loss of its own:
/// it learns through <c>Backward(noise, outputGradient)</c>, fed the discriminator's gradient with respect to
/// the generated batch, as <c>fake.backward(grad)</c> would in PyTorch.
/// </summary>
[Model]
public partial class Generator
{
    public const int Noise = 64;
    readonly Dense hidden1 = new(Noise, 256);
    readonly Dense hidden2 = new(256, 512);
    readonly Dense pixels = new(512, 28 * 28, Activation.Tanh);

    public Tensor Forward([Input(Noise)] Tensor noise)
    {
        var h = hidden1.Forward(noise).LeakyRelu(0.2f);
        h = hidden2.Forward(h).LeakyRelu(0.2f);
        return pixels.Forward(h);
    }
}

/// <summary>
/// The discriminator: a digit (pixels in [-1, 1]) to one logit, "real" above 0. Dropout keeps it from winning
/// outright on 8,000 digits; InputGradient runs without it (inference mode). Its loss is the binary cross-entropy against 1 (real)
/// or 0 (generated); <c>InputGradient</c> gives that loss's gradient with respect to the digits, which is what
/// the generator needs to learn to fool it.
/// </summary>
[Model]
public partial class Discriminator
{
    readonly Dense hidden1 = new(28 * 28, 512);
    readonly Dense hidden2 = new(512, 256);
    readonly Dense logit = new(256, 1);
    readonly Dropout drop = new(0.3f);

    public Tensor Forward([Input(28 * 28, Gradient = true)] Tensor image)
    {
        var h = drop.Forward(hidden1.Forward(image).LeakyRelu(0.2f));
        h = drop.Forward(hidden2.Forward(h).LeakyRelu(0.2f));
        return logit.Forward(h);
    }

    public Tensor Loss(Tensor logits, [Input(1)] Tensor isReal) => Nn.BinaryCrossEntropy(logits, isReal);
}

/// <summary>
/// The judge of the generated digits: an MLP classifier trained on the real digits first (about 97% on the test
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
