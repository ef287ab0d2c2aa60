using System.Text.RegularExpressions;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// A scaled loss keeps the fused softmax-cross-entropy kernel (Dl.Compiler.Canonicalize): the generated
/// ComputeGradients writes the logits gradient, with the loss's factor in its scale, in the same call
/// that computes the loss, and the compiled model agrees with the reference evaluator.
/// </summary>
public class ScaledLossTests
{
    private static string Model(string loss) => $$"""
        using Dl;
        namespace Test;
        [Model]
        public partial class M
        {
            readonly Dense hidden = new(4, 6, Activation.Relu);
            readonly Dense output = new(6, 3);
            public Tensor Forward([Input(4)] Tensor x) => output.Forward(hidden.Forward(x));
            public Tensor Loss(Tensor y, Labels l) => {{loss}};
        }
        """;

    [Theory]
    [InlineData("Nn.CrossEntropy(y, l)", "1")]
    [InlineData("0.5f * Nn.CrossEntropy(y, l)", "0.5")]
    [InlineData("Nn.CrossEntropy(y, l) * 0.25f", "0.25")]
    [InlineData("2f * (0.5f * Nn.CrossEntropy(y, l))", "1")]
    [InlineData("-(-Nn.CrossEntropy(y, l))", "1")]
    public void The_fused_loss_kernel_also_writes_the_scaled_gradient(string loss, string factor)
    {
        var source = Source(Model(loss), "M");
        // One fused call computes the loss and dLogits, scaled by factor/N; no other loop touches dLogits.
        Assert.Contains($"global::Dl.Cpu.Rows.SoftmaxCrossEntropy(logits, labels, n, 3, dLogits, (float)({factor} / (double)n));", source);
        Assert.Matches(new Regex(@"\bSoftmax_OneHot_Sub_Scale_SoftmaxCrossEntropy\("), source);
        Assert.DoesNotMatch(new Regex(@"\bSoftmax_OneHot_Sub_SoftmaxCrossEntropy\("), source);
    }

    [Theory]
    [InlineData("0.5f * Nn.CrossEntropy(y, l)", 1)]
    [InlineData("0.5f * Nn.CrossEntropy(y, l)", 5)]
    [InlineData("Nn.CrossEntropy(y, l) * 3f + 0f", 4)]
    public void A_scaled_loss_agrees_with_the_reference(string loss, int batch) =>
        AgreesWithReference(Run(Model(loss), "M", batch));
}
