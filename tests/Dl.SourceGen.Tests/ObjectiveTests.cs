using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// [Objective]: a model with two players (a tiny GAN) declares one loss per player, each training its own part.
/// Train{Objective} steps only that part (the other's parameters stay bit for bit), its gradients equal those of a
/// twin model whose whole-model Loss is the same expression, and the other part's weight gradients are not in the
/// generated code at all.
/// </summary>
public class ObjectiveTests
{
    private const string Models = """
        using System;
        using System.Linq;
        using Dl;
        using Dl.Training;
        namespace Test;

        [Layer] public class Gen
        {
            readonly Dense a = new(2, 8, Activation.Tanh);
            readonly Dense b = new(8, 3);
            public Tensor Forward(Tensor z) => b.Forward(a.Forward(z));
        }

        [Layer] public class Disc
        {
            readonly Dense a = new(3, 8, Activation.Tanh);
            readonly Dense b = new(8, 1);
            public Tensor Forward(Tensor x) => b.Forward(a.Forward(x));
        }

        [Model]
        public partial class Pair
        {
            readonly Gen generator = new();
            readonly Disc discriminator = new();

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

        // The same parameters, with GeneratorLoss as its Loss: ComputeGradients has every parameter's gradient.
        [Model]
        public partial class GeneratorTwin
        {
            readonly Gen generator = new();
            readonly Disc discriminator = new();
            public Tensor Forward([Input(2)] Tensor z) => generator.Forward(z);
            public Tensor Loss(Tensor fake)
            {
                var onFake = discriminator.Forward(fake);
                return Nn.BinaryCrossEntropy(onFake, onFake * 0f + 1f);
            }
        }

        public static class Driver
        {
            public static string[] Names() => new Pair(1).ParameterLayout.Select(p => p.Name).ToArray();
            public static int[] Offsets() => new Pair(1).ParameterLayout.Select(p => (int)p.Offset).ToArray();

            // Parameters before and after one TrainDiscriminatorLoss and one TrainGeneratorLoss step, and the two losses.
            public static float[][] Steps(float[] z, float[] real)
            {
                var pair = new Pair(3);
                var before = pair.Parameters.ToArray();
                float d = pair.TrainDiscriminatorLoss(z, real, new Adam(0.01f));
                var afterD = pair.Parameters.ToArray();
                float g = pair.TrainGeneratorLoss(z, new Adam(0.01f));
                return new[] { before, afterD, pair.Parameters.ToArray(), new[] { d, g } };
            }

            public static float[][] GeneratorGradients(float[] z)
            {
                var pair = new Pair(3);
                var twin = new GeneratorTwin(0);
                pair.Parameters.CopyTo(twin.Parameters);
                float lossPair = pair.ComputeGeneratorLossGradients(z);
                float lossTwin = twin.ComputeGradients(z);
                return new[] { pair.Gradients.ToArray(), twin.Gradients.ToArray(), new[] { lossPair, lossTwin } };
            }

            // Adversarial training moves the generator's batch towards the real one (a 3-d point cloud).
            public static float[] Train(float[] z, float[] real, int steps)
            {
                var pair = new Pair(5);
                var dOpt = new Adam(0.02f, beta1: 0.5f);
                var gOpt = new Adam(0.02f, beta1: 0.5f);
                float start = Distance(pair.Predict(z), real);
                for (int s = 0; s < steps; s++) { pair.TrainDiscriminatorLoss(z, real, dOpt); pair.TrainGeneratorLoss(z, gOpt); }
                return new[] { start, Distance(pair.Predict(z), real) };
            }

            // Distance between the means of two [N,3] batches.
            static float Distance(ReadOnlySpan<float> a, float[] b)
            {
                double d = 0;
                for (int c = 0; c < 3; c++)
                {
                    double ma = 0, mb = 0;
                    for (int i = c; i < b.Length; i += 3) { ma += a[i]; mb += b[i]; }
                    d += Math.Pow((ma - mb) / (b.Length / 3), 2);
                }
                return (float)Math.Sqrt(d);
            }
        }
        """;

    private static (Type Driver, string Source) Compile()
    {
        var (driver, run) = LoadDriver(Models, "objectives");
        return (driver, run.Sources.Single(s => s.HintName.Contains("Pair")).SourceText.ToString());
    }

    private static T Call<T>(Type driver, string name, params object[] args) =>
        (T)driver.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;

    private const int Batch = 6;
    private static readonly float[] Z = Enumerable.Range(0, Batch * 2).Select(i => (float)Math.Sin(0.9 * i)).ToArray();
    private static readonly float[] Real = Enumerable.Range(0, Batch * 3).Select(i => 1.5f + 0.3f * (float)Math.Cos(0.5 * i)).ToArray();

    /// <summary>Indices of the parameter array that belong to the tensors whose names start with <paramref name="prefix"/>.</summary>
    private static bool[] Mask(Type driver, string prefix, int length)
    {
        var names = Call<string[]>(driver, "Names");
        var offsets = Call<int[]>(driver, "Offsets");
        var mask = new bool[length];
        for (int t = 0; t < names.Length; t++)
        {
            int end = t + 1 < offsets.Length ? offsets[t + 1] : length;
            for (int i = offsets[t]; i < end; i++) mask[i] = names[t].StartsWith(prefix, StringComparison.Ordinal);
        }
        return mask;
    }

    [Fact]
    public void Each_objective_steps_only_the_part_it_trains()
    {
        var (driver, _) = Compile();
        var s = Call<float[][]>(driver, "Steps", Z, Real);
        var (before, afterD, afterG) = (s[0], s[1], s[2]);
        var discriminator = Mask(driver, "discriminator.", before.Length);
        int movedD = 0, movedG = 0;
        for (int i = 0; i < before.Length; i++)
        {
            if (discriminator[i]) { movedD += before[i] != afterD[i] ? 1 : 0; Assert.Equal(afterD[i], afterG[i]); }
            else { Assert.Equal(before[i], afterD[i]); movedG += afterD[i] != afterG[i] ? 1 : 0; }
        }
        Assert.True(movedD > 20, $"the discriminator step moved {movedD} parameters");
        Assert.True(movedG > 20, $"the generator step moved {movedG} parameters");
        Assert.All(s[3], l => Assert.True(float.IsFinite(l) && l > 0));
    }

    [Fact]
    public void An_objectives_gradients_are_the_whole_models_for_the_part_it_trains()
    {
        var (driver, _) = Compile();
        var r = Call<float[][]>(driver, "GeneratorGradients", Z);
        Assert.Equal(r[2][1], r[2][0], 6);
        var generator = Mask(driver, "generator.", r[0].Length);
        for (int i = 0; i < r[0].Length; i++)
            if (generator[i]) Assert.True(Math.Abs(r[0][i] - r[1][i]) <= 1e-6f * (1 + Math.Abs(r[1][i])), $"gradient {i}: objective {r[0][i]}, twin {r[1][i]}");
        Assert.Contains(r[0].Where((_, i) => generator[i]), g => Math.Abs(g) > 1e-4);
    }

    [Fact]
    public void The_other_parts_gradients_are_not_in_the_generated_code()
    {
        var (driver, source) = Compile();
        var names = Call<string[]>(driver, "Names");
        var offsets = Call<int[]>(driver, "Offsets");
        var generatorOffsets = names.Select((n, t) => (n, t)).Where(x => x.n.StartsWith("generator.")).Select(x => offsets[x.t]).ToHashSet();
        string Body(string method)
        {
            int start = source.IndexOf($"public float {method}(", StringComparison.Ordinal);
            Assert.True(start >= 0, $"no {method} in the generated code");
            return source.Substring(start, source.IndexOf("\n        }", start, StringComparison.Ordinal) - start);
        }
        var written = Regex.Matches(Body("ComputeGeneratorLossGradients"), @"__Grad\((\d+),").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        Assert.Equal(generatorOffsets.OrderBy(o => o), written.OrderBy(o => o));
        var writtenByD = Regex.Matches(Body("ComputeDiscriminatorLossGradients"), @"__Grad\((\d+),").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        Assert.Empty(writtenByD.Intersect(generatorOffsets));
        Assert.NotEmpty(writtenByD);
    }

    [Fact]
    public void Alternating_objectives_train_a_generator_towards_the_real_points()
    {
        var (driver, _) = Compile();
        var d = Call<float[]>(driver, "Train", Z, Real, 300);
        Assert.True(d[1] < 0.5f * d[0], $"the generated batch's mean moved from {d[0]} to {d[1]} away from the real one");
    }

    [Fact]
    public void DL0043_an_objective_naming_no_parameter() => DiagnosticTests.Single(DiagnosticTests.Model("""
            readonly Dense layer = new(4, 2);
            public Tensor Forward([Input(4)] Tensor x) => layer.Forward(x);
            [[|Objective("decoder")|]]
            public Tensor Other(Tensor y) => y.Sum();
        """), "DL0043", "'decoder'", "layer");

    [Fact]
    public void DL0043_an_objective_naming_nothing() => DiagnosticTests.Single(DiagnosticTests.Model("""
            readonly Dense layer = new(4, 2);
            public Tensor Forward([Input(4)] Tensor x) => layer.Forward(x);
            [[|Objective|]]
            public Tensor Other(Tensor y) => y.Sum();
        """), "DL0043", "Other");

    [Fact]
    public void DL0027_a_member_named_like_an_objectives_generated_method() => DiagnosticTests.Single(DiagnosticTests.Model("""
            readonly Dense layer = new(4, 2);
            public Tensor Forward([Input(4)] Tensor x) => layer.Forward(x);
            [Objective(nameof(layer))]
            public Tensor Other(Tensor y) => y.Sum();
            public void [|TrainOther|]() { }
        """), "DL0027", "TrainOther");
}
