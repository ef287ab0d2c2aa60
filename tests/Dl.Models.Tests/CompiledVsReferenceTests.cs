using Dl.Graph;
using Dl.Models.Tests.Models;
using static Dl.Models.Tests.TestInputs;

namespace Dl.Models.Tests;

/// <summary>Generated code against the reference evaluator: forward outputs, losses and every parameter gradient.</summary>
public class CompiledVsReferenceTests
{
    private static void CheckAll(Dl.ICompiledModel model, ModelGraph graph, int batch, Func<float[]> predict, Func<float> evaluate, Func<float> gradients, params (string, Array)[] inputs)
    {
        var reference = Reference.Run(graph, model, batch, inputs);
        Reference.Close(predict(), reference.Output, 1e-5, 1e-4, "output");
        Assert.Equal(reference.Loss, evaluate(), 4);
        float loss = gradients();
        Assert.Equal(reference.Loss, loss, 4);
        foreach (var p in model.ParameterLayout)
            Reference.Close(model.Gradients.Slice(p.Offset, p.Length), reference.Gradients[p.Name], 1e-5, 1e-3, "d" + p.Name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    public void SmallMlp_MatchesReference(int batch)
    {
        var model = new SmallMlp(seed: 3);
        var x = Floats(batch * 12, 1);
        var y = Labels(batch, 5, 2);
        CheckAll(model, ReferenceGraphs.Classifier("SmallMlp", 12, 16, 5, new ReluOp()), batch,
            () => model.Predict(x).ToArray(), () => model.Evaluate(x, y), () => model.ComputeGradients(x, y), ("x", x), ("label", y));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(17)]
    public void ResidualRegressor_SharedWeights_MatchReference(int batch)
    {
        var model = new ResidualRegressor(seed: 5);
        var x = Floats(batch * 6, 4);
        var t = Floats(batch * 2, 5);
        Assert.Single(model.ParameterLayout, p => p.Name == "block.inner.weight");
        CheckAll(model, ReferenceGraphs.ResidualRegressor(), batch,
            () => model.Predict(x).ToArray(), () => model.Evaluate(x, t), () => model.ComputeGradients(x, t), ("x", x), ("target", t));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(19)]
    public void OpZoo_MatchesReference(int batch)
    {
        var model = new OpZoo(seed: 9);
        var x = Floats(batch * 5, 6, 2);
        var t = Floats(batch * 4, 7).Select(v => (v + 1) / 2).ToArray(); // targets in [0,1]
        CheckAll(model, ReferenceGraphs.OpZoo(), batch,
            () => model.Predict(x).ToArray(), () => model.Evaluate(x, t), () => model.ComputeGradients(x, t), ("x", x), ("target", t));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    public void MaskedSequence_MatchesReference(int batch)
    {
        var model = new MaskedSequence(seed: 4);
        var x = Floats(batch * 12, 8);
        var lengths = Enumerable.Range(0, batch).Select(n => (n + 2) % 5).ToArray(); // 2, 3, 4, 0, 1, ...: both ends of 0..4
        var t = Floats(batch * 2, 9);
        CheckAll(model, ReferenceGraphs.MaskedSequence(), batch,
            () => model.Predict(x, lengths).ToArray(), () => model.Evaluate(x, lengths, t), () => model.ComputeGradients(x, lengths, t),
            ("x", x), ("lengths", lengths), ("target", t));
    }

    [Fact]
    public void MaskedSequence_IgnoresThePadding_AndRefusesALengthPastTheSteps()
    {
        var model = new MaskedSequence(seed: 4);
        var x = Floats(2 * 12, 8);
        var lengths = new[] { 1, 3 };
        var before = model.Predict(x, lengths).ToArray();
        var t = Floats(2 * 2, 9);
        model.ComputeGradients(x, lengths, t);
        var gradient = model.Gradients.ToArray();
        // New values in the padding (sample 0's steps 1..3, sample 1's step 3) change nothing.
        var padded = (float[])x.Clone();
        for (int i = 3; i < 12; i++) padded[i] = 5;
        for (int i = 12 + 9; i < 24; i++) padded[i] = -5;
        Assert.Equal(before, model.Predict(padded, lengths).ToArray());
        model.ComputeGradients(padded, lengths, t);
        Assert.Equal(gradient, model.Gradients.ToArray());

        var e = Assert.Throws<IndexOutOfRangeException>(() => model.Predict(x, new[] { 4, 5 }));
        Assert.Contains("SequenceMask: length 5 (element 1 of the lengths) is outside 0..4", e.Message);
        Assert.Contains("length -1 (element 0", Assert.Throws<IndexOutOfRangeException>(() => model.ComputeGradients(x, new[] { -1, 2 }, t)).Message);
    }

    [Fact]
    public void TrainStep_IsComputeGradientsThenSgd()
    {
        var model = new SmallMlp(seed: 1) { LearningRate = 0.5f };
        var x = Floats(4 * 12, 11);
        var y = Labels(4, 5, 12);
        var before = model.Parameters.ToArray();
        model.ComputeGradients(x, y);
        var gradient = model.Gradients.ToArray();
        model.TrainStep(x, y);
        for (int i = 0; i < before.Length; i++)
            Assert.Equal(before[i] - 0.5f * gradient[i], model.Parameters[i], 6);
    }
}
