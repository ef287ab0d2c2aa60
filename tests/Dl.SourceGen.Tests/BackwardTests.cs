using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The generated Backward(inputs, outputGradient): a model without a loss of its own (a GAN's generator)
/// gets its parameter gradients for an outer loss's gradient with respect to its output. Checked against
/// a twin whose loss is sum(output * u), which has exactly those gradients, and against finite differences.
/// </summary>
public class BackwardTests
{
    private const string Models = """
        using System;
        using System.Linq;
        using Dl;
        namespace Test;

        // No Loss: only Predict and Backward. One input is named like Backward's cotangent, which is renamed.
        [Model]
        public partial class Generator
        {
            readonly Dense hidden = new(4, 6, Activation.Tanh);
            readonly Dense output = new(6, 3);
            public Tensor Forward([Input(3)] Tensor z, [Input(1)] Tensor outputGradient) =>
                output.Forward(hidden.Forward(Nn.Concat(-1, z, outputGradient)));
        }

        // The same layers; its loss sum(y * u) has the gradients Backward(z, g, u) computes.
        [Model]
        public partial class Twin
        {
            readonly Dense hidden = new(4, 6, Activation.Tanh);
            readonly Dense output = new(6, 3);
            public Tensor Forward([Input(3)] Tensor z, [Input(1)] Tensor outputGradient) =>
                output.Forward(hidden.Forward(Nn.Concat(-1, z, outputGradient)));
            public Tensor Loss(Tensor y, [Input(3)] Tensor u) => (y * u).Sum();
        }

        public static class Driver
        {
            public static float[] Backward(float[] z, float[] c, float[] u)
            {
                var model = new Generator(7);
                model.Backward(z, c, u);
                return model.Gradients.ToArray();
            }

            public static float[] TwinGradients(float[] z, float[] c, float[] u)
            {
                var source = new Generator(7);
                var twin = new Twin(0);
                source.Parameters.CopyTo(twin.Parameters);
                twin.ComputeGradients(z, c, u);
                return twin.Gradients.ToArray();
            }

            // d/dp sum(Predict(z, c) * u) by central differences, at every parameter.
            public static float[] FiniteDifferences(float[] z, float[] c, float[] u)
            {
                var model = new Generator(7);
                var result = new float[model.Parameters.Length];
                for (int i = 0; i < result.Length; i++)
                {
                    float p = model.Parameters[i];
                    const float h = 1e-2f;
                    model.Parameters[i] = p + h; double plus = Dot(model.Predict(z, c), u);
                    model.Parameters[i] = p - h; double minus = Dot(model.Predict(z, c), u);
                    model.Parameters[i] = p;
                    result[i] = (float)((plus - minus) / (2 * h));
                }
                return result;
            }

            static double Dot(ReadOnlySpan<float> y, float[] u) { double s = 0; for (int i = 0; i < u.Length; i++) s += y[i] * (double)u[i]; return s; }

            public static string WrongCotangent(float[] z, float[] c)
            {
                try { new Generator(7).Backward(z, c, new float[5]); return "no error"; }
                catch (ArgumentException e) { return e.Message; }
            }
        }
        """;

    private static Type Driver() => LoadDriver(Models, "backward").Driver;

    private static float[] Call(Type driver, string name, params object[] args) =>
        (float[])driver.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;

    private const int Batch = 5;
    private static readonly float[] Z = Enumerable.Range(0, Batch * 3).Select(i => (float)Math.Sin(0.7 * i)).ToArray();
    private static readonly float[] C = Enumerable.Range(0, Batch).Select(i => (float)Math.Cos(1.3 * i)).ToArray();
    private static readonly float[] U = Enumerable.Range(0, Batch * 3).Select(i => (float)Math.Cos(0.4 * i + 1)).ToArray();

    [Fact]
    public void Backward_HasTheGradientsOfTheLossSumOfOutputTimesCotangent()
    {
        var driver = Driver();
        var backward = Call(driver, "Backward", Z, C, U);
        var twin = Call(driver, "TwinGradients", Z, C, U);
        Assert.Equal(twin.Length, backward.Length);
        Assert.Contains(backward, g => Math.Abs(g) > 1e-3);
        for (int i = 0; i < twin.Length; i++)
            Assert.True(Math.Abs(twin[i] - backward[i]) <= 1e-5f * (1 + Math.Abs(twin[i])), $"gradient {i}: Backward {backward[i]}, twin {twin[i]}");
    }

    [Fact]
    public void Backward_AgreesWithFiniteDifferences()
    {
        var driver = Driver();
        var backward = Call(driver, "Backward", Z, C, U);
        var numeric = Call(driver, "FiniteDifferences", Z, C, U);
        for (int i = 0; i < numeric.Length; i++)
            Assert.True(Math.Abs(numeric[i] - backward[i]) <= 2e-3f * (1 + Math.Abs(numeric[i])), $"gradient {i}: Backward {backward[i]}, finite differences {numeric[i]}");
    }

    [Fact]
    public void Backward_RefusesACotangentOfTheWrongLength()
    {
        var message = (string)Driver().GetMethod("WrongCotangent")!.Invoke(null, new object[] { Z, C })!;
        Assert.Contains("outputGradient_", message);
    }
}
