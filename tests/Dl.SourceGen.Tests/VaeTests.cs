using System;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using Dl.Graph;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The ops a VAE needs, end to end: Nn.RandomNormal's compiled samples are the graph's bit for bit, and a
/// tiny VAE (reparameterised z, Mse + KlDivergence) compiles and its loss falls over a few training steps.
/// </summary>
public class VaeTests
{
    [Fact]
    public void RuntimeSamples_AreTheGraphsSamplesBitForBit()
    {
        var samples = new float[10_000];
        Dl.Cpu.RandomNormal.Fill(samples, stream: 12345, seed: 7, step: 42);
        var expected = new RandomNormalOp(12345, new Shape(10_000)).Evaluate(Array.Empty<TensorValue>(), new EvalContext(1, seed: 7, step: 42));
        for (int i = 0; i < samples.Length; i++)
            Assert.Equal((float)expected[i], samples[i]);
        Assert.InRange(samples.Average(), -0.05, 0.05);
    }

    private const string Vae = """
        using System.Linq;
        using Dl;
        namespace Test;
        [Model]
        public partial class Vae
        {
            readonly Dense encoder = new(8, 16, Activation.Tanh);
            readonly Dense toMu = new(16, 2);
            readonly Dense toLogVar = new(16, 2);
            readonly Dense decoder1 = new(2, 16, Activation.Tanh);
            readonly Dense decoder2 = new(16, 8);

            // The output joins the reconstruction [N,8], mu [N,2] and logVar [N,2], so the loss can read all three.
            public Tensor Forward([Input(8)] Tensor x)
            {
                var h = encoder.Forward(x);
                var mu = toMu.Forward(h);
                var logVar = toLogVar.Forward(h);
                var z = mu + Nn.Exp(0.5f * logVar) * Nn.RandomNormal(mu);
                return Nn.Concat(-1, decoder2.Forward(decoder1.Forward(z)), mu, logVar);
            }

            public Tensor Loss(Tensor y, [Input(8)] Tensor target) =>
                Nn.Mse(y.Slice(1, 0, 8), target) + 0.1f * Nn.KlDivergence(y.Slice(1, 8, 2), y.Slice(1, 10, 2));
        }

        public static class Driver
        {
            public static float[] Train(int steps, float[] x, int batch)
            {
                var model = new Vae(3) { LearningRate = 0.05f };
                var losses = new float[steps];
                for (int s = 0; s < steps; s++) losses[s] = model.TrainStep(x, x);
                return losses;
            }

            // Two models of one seed replay the same samples; Predict (inference: zero noise) is deterministic.
            public static bool Replays(float[] x)
            {
                var a = new Vae(5); var b = new Vae(5);
                for (int s = 0; s < 3; s++) if (a.TrainStep(x, x) != b.TrainStep(x, x)) return false;
                return a.Predict(x).ToArray().SequenceEqual(a.Predict(x).ToArray());
            }
        }
        """;

    [Fact]
    public void TinyVae_CompilesAndItsLossFalls()
    {
        var (driver, _) = LoadDriver(Vae, "vae");
        const int batch = 16;
        var x = Enumerable.Range(0, batch * 8).Select(i => (float)Math.Sin(i % 8 + (i / 8) * 0.3)).ToArray();
        var losses = (float[])driver.GetMethod("Train")!.Invoke(null, new object[] { 60, x, batch })!;
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses.Skip(50).Average() < 0.7 * losses.Take(5).Average(), $"losses {string.Join(", ", losses)}");
        Assert.True((bool)driver.GetMethod("Replays")!.Invoke(null, new object[] { x })!);
    }
}
