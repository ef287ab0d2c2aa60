using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

public class LossGradTests
{
    [Theory]
    [InlineData("N,5")]
    [InlineData("5")]
    [InlineData("N,2,4")]
    public void Softmax(string shape) =>
        Verify((g, x) => g.Softmax(x[0]), InputSpec.Float("x", S(shape), -3, 3));

    [Theory]
    [InlineData("N,5")]
    [InlineData("5")]
    [InlineData("N,2,4")]
    public void LogSoftmax(string shape) =>
        Verify((g, x) => g.LogSoftmax(x[0]), InputSpec.Float("x", S(shape), -3, 3));

    [Theory]
    [InlineData("N,4")]
    [InlineData("3,2")]
    [InlineData("N")]
    public void Mse_BothOperands(string shape) =>
        Verify((g, x) => g.Mse(x[0], x[1]), InputSpec.Float("p", S(shape)), InputSpec.Float("t", S(shape)));

    [Theory]
    [InlineData("N,5", "N")]
    [InlineData("N,2,4", "N,2")]
    [InlineData("4,3", "4")]
    [InlineData("6", "")]
    public void SoftmaxCrossEntropy_IntegerLabels(string logits, string labels)
    {
        int classes = S(logits)[S(logits).Rank - 1].Size;
        Verify((g, x) => g.SoftmaxCrossEntropy(x[0], x[1]),
            InputSpec.Float("logits", S(logits), -3, 3), InputSpec.Labels("labels", S(labels), classes));
    }

    [Theory]
    [InlineData("N,4")]
    [InlineData("N")]
    [InlineData("2,3")]
    public void BinaryCrossEntropy_LogitsAndTargets(string shape) =>
        Verify((g, x) => g.BinaryCrossEntropy(x[0], x[1]),
            InputSpec.Float("z", S(shape), -4, 4), InputSpec.Float("t", S(shape), 0, 1));

    [Fact]
    public void BinaryCrossEntropy_LargeLogits() =>
        // Saturated logits: the gradient is σ(z) - t, finite and tiny or close to ±1.
        Verify((g, x) => g.BinaryCrossEntropy(x[0], x[1]),
            InputSpec.AwayFromZero("z", S("N,3"), gap: 20, max: 40), InputSpec.Float("t", S("N,3"), 0, 1));

    [Fact]
    public void CrossEntropyOfSoftmaxComposedByHand_MatchesTheFusedOp() =>
        Verify((g, x) => g.Neg(g.Mean(g.Sum(g.Mul(g.LogSoftmax(x[0]), g.OneHot(x[1], 4)), new[] { 1 }))),
            InputSpec.Float("logits", S("N,4"), -3, 3), InputSpec.Labels("labels", S("N"), 4));
}
