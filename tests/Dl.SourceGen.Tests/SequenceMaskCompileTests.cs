using System;
using System.Linq;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// <c>Nn.SequenceMask</c> in model source over an LSTM's output sequence: the model compiles, agrees
/// with the reference evaluator, and neither its output nor the gradient of its input sequence has
/// anything at the steps past a sample's length (the recurrence is causal, so the padding reaches
/// the loss only through the masked steps).
/// </summary>
public class SequenceMaskCompileTests
{
    private const int Steps = 6, Features = 3, Hidden = 5;

    private const string Source = """
        using Dl;
        namespace Test;
        [Model]
        public partial class Padded
        {
            readonly Lstm lstm = new(3, 5);
            public Tensor Forward([Input(6, 3, Gradient = true)] Tensor x, [Input] Labels lengths) => Nn.SequenceMask(lstm.Forward(x), lengths);
            // Not (y * y).Mean(): its gradient is already zero wherever y was masked to zero, so it
            // could not tell a mask that blocks the gradient from one that passes it.
            public Tensor Loss(Tensor y) => ((y - 1) * (y - 1)).Mean();
        }
        """;

    [Theory]
    [InlineData(1, 3)]
    [InlineData(5, 8)]
    public void An_LSTM_masked_by_lengths_compiles_and_passes_no_gradient_past_a_length(int batch, int seed)
    {
        // Lengths below Steps + 1: every length 0..6 can occur.
        var outcome = Run(Source, "Padded", batch, seed, labelClasses: Steps + 1);
        AgreesWithReference(outcome);
        var lengths = Assert.IsType<int[]>(outcome.Inputs[1]);
        var dx = Assert.Single(outcome.InputGradients);
        Assert.Equal(batch * Steps * Features, dx.Length);
        bool somethingKept = false;
        for (int n = 0; n < batch; n++)
            for (int t = 0; t < Steps; t++)
            {
                var output = outcome.Output.AsSpan((n * Steps + t) * Hidden, Hidden).ToArray();
                var gradient = dx.AsSpan((n * Steps + t) * Features, Features).ToArray();
                if (t >= lengths[n])
                {
                    Assert.True(output.All(v => v == 0), $"sample {n} (length {lengths[n]}) step {t}: output {string.Join(", ", output)}");
                    Assert.True(gradient.All(v => v == 0), $"sample {n} (length {lengths[n]}) step {t}: input gradient {string.Join(", ", gradient)}");
                }
                else
                    somethingKept |= gradient.Any(v => v != 0);
            }
        Assert.True(somethingKept, $"no step before a length has a gradient (lengths {string.Join(", ", lengths)})");
        Assert.Contains(lengths, l => l < Steps);
    }
}
