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
/// [Frozen] at build time: the frozen layer keeps its bits through TrainStep and any optimizer, its gradient is
/// not computed (no gradient slot of it is written, fewer multiply-adds per train step than the unfrozen twin),
/// the trained layer's gradients equal the twin's, and run-time Unfreeze refuses it.
/// </summary>
public class FrozenTests
{
    private const string Models = """
        using System;
        using System.Linq;
        using Dl;
        using Dl.Training;
        namespace Test;

        [Model]
        public partial class Tuned
        {
            [Frozen] readonly Dense body = new(4, 6, Activation.Tanh);
            readonly Dense head = new(6, 3);
            public Tensor Forward([Input(4)] Tensor x) => head.Forward(body.Forward(x));
            public Tensor Loss(Tensor y, [Input(3)] Tensor t) => Nn.Mse(y, t);
        }

        [Model]
        public partial class Twin
        {
            readonly Dense body = new(4, 6, Activation.Tanh);
            readonly Dense head = new(6, 3);
            public Tensor Forward([Input(4)] Tensor x) => head.Forward(body.Forward(x));
            public Tensor Loss(Tensor y, [Input(3)] Tensor t) => Nn.Mse(y, t);
        }

        public static class Driver
        {
            public static string[] Names() => new Tuned(1).ParameterLayout.Select(p => p.Name).ToArray();
            public static int[] Offsets() => new Tuned(1).ParameterLayout.Select(p => (int)p.Offset).ToArray();
            public static long[] MultiplyAdds() => new[] { Tuned.TrainStepMultiplyAdds, Twin.TrainStepMultiplyAdds };

            // Gradients of the first step (frozen model, twin from the same parameters), then parameters before and after
            // five TrainSteps and five AdamW steps (its decoupled weight decay would shrink any weight it touched).
            public static float[][] Train(float[] x, float[] t)
            {
                var tuned = new Tuned(3);
                var twin = new Twin(0);
                tuned.Parameters.CopyTo(twin.Parameters);
                tuned.ComputeGradients(x, t);
                twin.ComputeGradients(x, t);
                var gradients = tuned.Gradients.ToArray();
                var before = tuned.Parameters.ToArray();
                for (int s = 0; s < 5; s++) tuned.TrainStep(x, t);
                var optimizer = new AdamW(0.01f) { WeightDecay = 0.5f };
                for (int s = 0; s < 5; s++) { tuned.ComputeGradients(x, t); optimizer.Step(tuned); }
                return new[] { gradients, twin.Gradients.ToArray(), before, tuned.Parameters.ToArray() };
            }

            public static string Freezing()
            {
                var tuned = new Tuned(3);
                if (!tuned.IsFrozen("body.weight") || tuned.IsFrozen("head.weight")) return "IsFrozen is wrong";
                tuned.UnfreezeAll();
                if (!tuned.IsFrozen("body.bias")) return "UnfreezeAll unfroze a [Frozen] parameter";
                try { tuned.Unfreeze("body"); return "Unfreeze did not refuse"; }
                catch (InvalidOperationException e) { return e.Message; }
            }
        }
        """;

    private static (Type Driver, string Source) Compile()
    {
        var (driver, run) = LoadDriver(Models, "frozen");
        return (driver, run.Sources.Single(s => s.HintName.Contains("Tuned")).SourceText.ToString());
    }

    private static T Call<T>(Type driver, string name, params object[] args) =>
        (T)driver.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;

    private const int Batch = 5;
    private static readonly float[] X = Enumerable.Range(0, Batch * 4).Select(i => (float)Math.Sin(0.9 * i)).ToArray();
    private static readonly float[] T = Enumerable.Range(0, Batch * 3).Select(i => (float)Math.Cos(0.5 * i)).ToArray();

    private static bool[] BodyMask(Type driver, int length)
    {
        var names = Call<string[]>(driver, "Names");
        var offsets = Call<int[]>(driver, "Offsets");
        var mask = new bool[length];
        for (int p = 0; p < names.Length; p++)
        {
            int end = p + 1 < offsets.Length ? offsets[p + 1] : length;
            for (int i = offsets[p]; i < end; i++) mask[i] = names[p].StartsWith("body.", StringComparison.Ordinal);
        }
        return mask;
    }

    [Fact]
    public void The_frozen_layer_keeps_its_bits_and_the_head_trains_with_the_twins_gradients()
    {
        var (driver, _) = Compile();
        var r = Call<float[][]>(driver, "Train", X, T);
        var (gradients, twin, before, after) = (r[0], r[1], r[2], r[3]);
        var body = BodyMask(driver, before.Length);
        int headMoved = 0;
        for (int i = 0; i < before.Length; i++)
        {
            if (body[i])
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(before[i]), BitConverter.SingleToInt32Bits(after[i]));
                Assert.Equal(0f, gradients[i]);
            }
            else
            {
                Assert.True(Math.Abs(gradients[i] - twin[i]) <= 1e-6f * (1 + Math.Abs(twin[i])), $"gradient {i}: frozen model {gradients[i]}, twin {twin[i]}");
                headMoved += before[i] != after[i] ? 1 : 0;
            }
        }
        Assert.True(headMoved >= 18, $"{headMoved} head parameters moved");
        Assert.Contains(twin.Where((_, i) => body[i]), g => Math.Abs(g) > 1e-4);
    }

    [Fact]
    public void The_frozen_layers_gradient_products_are_not_generated()
    {
        var (driver, source) = Compile();
        var names = Call<string[]>(driver, "Names");
        var offsets = Call<int[]>(driver, "Offsets");
        var bodyOffsets = names.Select((n, p) => (n, p)).Where(x => x.n.StartsWith("body.")).Select(x => offsets[x.p]).ToHashSet();
        var written = Regex.Matches(source, @"__Grad\((\d+),").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        Assert.Empty(written.Intersect(bodyOffsets));
        Assert.NotEmpty(written);
        // Forward 4*6 + 6*3, the head's weight gradient 6*3; the twin adds the body's input cotangent 6*3 and its weight gradient 4*6.
        var madds = Call<long[]>(driver, "MultiplyAdds");
        Assert.Equal(60, madds[0]);
        Assert.Equal(102, madds[1]);
    }

    [Fact]
    public void A_build_time_freeze_cannot_be_undone_at_run_time()
    {
        var message = Call<string>(Compile().Driver, "Freezing");
        Assert.Contains("body.weight", message);
        Assert.Contains("[Frozen]", message);
    }
}
