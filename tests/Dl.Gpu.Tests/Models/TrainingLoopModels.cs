using Dl;

namespace Dl.Gpu.Tests.Models;

/// <summary>Dropout between two dense layers: each training step draws a new mask, the same on both backends.</summary>
[Model]
public partial class DropoutNet
{
    readonly Dense hidden = new(6, 16, Activation.Relu);
    readonly Dropout drop = new(0.3f);
    readonly Dense output = new(16, 3);

    public Tensor Forward([Input(6)] Tensor x) => output.Forward(drop.Forward(hidden.Forward(x)));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>A small VAE: the reparameterisation draws normal samples per training step, and the loss has a KL term.</summary>
[Model]
public partial class TinyVae
{
    public const int Code = 3, Features = 6;
    readonly Dense encoder = new(Features, 8, Activation.Tanh);
    readonly Dense mean = new(8, Code);
    readonly Dense logVariance = new(8, Code);
    readonly Dense decoder = new(Code, Features);

    public Tensor Forward([Input(Features)] Tensor x)
    {
        var h = encoder.Forward(x);
        var mu = mean.Forward(h);
        var logVar = logVariance.Forward(h);
        var z = mu + Nn.Exp(0.5f * logVar) * Nn.RandomNormal(mu);
        return Nn.Concat(-1, decoder.Forward(z), mu, logVar);
    }

    public Tensor Loss(Tensor y, [Input(Features)] Tensor target) =>
        Nn.Mse(y.Slice(1, 0, Features), target) + Nn.KlDivergence(y.Slice(1, Features, Code), y.Slice(1, Features + Code, Code));
}

[Layer]
public class TinyGenerator
{
    readonly Dense a = new(2, 8, Activation.Tanh);
    readonly Dense b = new(8, 3);
    public Tensor Forward(Tensor z) => b.Forward(a.Forward(z));
}

[Layer]
public class TinyDiscriminator
{
    readonly Dense a = new(3, 8, Activation.Tanh);
    readonly Dense b = new(8, 1);
    public Tensor Forward(Tensor x) => b.Forward(a.Forward(x));
}

/// <summary>Two players, one objective each, training only its own part (a GAN in miniature).</summary>
[Model]
public partial class TinyGan
{
    readonly TinyGenerator generator = new();
    readonly TinyDiscriminator discriminator = new();

    public Tensor Forward([Input(2)] Tensor z) => generator.Forward(z);

    [Objective(nameof(discriminator))]
    public Tensor DiscriminatorLoss(Tensor fake, [Input(3)] Tensor real)
    {
        var onReal = discriminator.Forward(real);
        var onFake = discriminator.Forward(fake);
        return Nn.BinaryCrossEntropy(onReal, onReal * 0f + 1f) + Nn.BinaryCrossEntropy(onFake, onFake * 0f);
    }

    [Objective(nameof(generator))]
    public Tensor GeneratorLoss(Tensor fake)
    {
        var onFake = discriminator.Forward(fake);
        return Nn.BinaryCrossEntropy(onFake, onFake * 0f + 1f);
    }
}
