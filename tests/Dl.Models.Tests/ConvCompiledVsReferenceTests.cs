using Dl.Graph;
using Dl.Models.Tests.Models;
using static Dl.Models.Tests.TestInputs;

namespace Dl.Models.Tests;

/// <summary>
/// The generated convolutional models against the reference evaluator: Predict in inference mode,
/// Evaluate and every parameter gradient in training mode (batch statistics, the step's dropout
/// masks, drawn from the same seed), and the running averages a training step leaves behind.
/// </summary>
public class ConvCompiledVsReferenceTests
{
    /// <summary>Predict, Evaluate, ComputeGradients and (for stateful models) the new state, each against the reference.</summary>
    private static void CheckAll(Dl.IClassifier model, ModelGraph graph, int batch, int seed, float[] x, int[] y, double gradientTolerance = 1e-3)
    {
        var reference = Reference.Run(graph, model, batch, seed, step: 0, (graph.Inputs[0].Op is InputOp i ? i.InputName : "x", x), ("label", y));
        Reference.Close(model.Predict(x), reference.Output, 1e-4, 1e-3, "output");
        Assert.Equal(reference.Loss, model.Evaluate(x, y), 4);
        Assert.Equal(reference.Loss, model.ComputeGradients(x, y), 4);
        foreach (var p in model.ParameterLayout)
            Reference.Close(model.Gradients.Slice(p.Offset, p.Length), reference.Gradients[p.Name], 1e-5, gradientTolerance, "d" + p.Name);
        if (model is Dl.IStatefulModel stateful)
            foreach (var s in stateful.StateLayout)
                Reference.Close(stateful.State.Slice(s.Offset, s.Length), reference.States[s.Name], 1e-5, 1e-4, s.Name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void SmallCnn_EveryConvOpMatchesTheReference(int batch)
    {
        var model = new SmallCnn(seed: 4);
        CheckAll(model, ConvReferenceGraphs.SmallCnn(), batch, 4, Floats(batch * 2 * 81, 1), Labels(batch, 3, 2));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public void LeNet_MatchesTheReference(int batch)
    {
        var model = new global::LeNet.LeNet5(seed: 2);   // samples/LeNet's model, compiled in
        CheckAll(model, ConvReferenceGraphs.LeNet(), batch, 2, Floats(batch * 784, 3), Labels(batch, 10, 4));
    }

    [Fact]
    public void ResBnNet_BatchNormBothModes_DropoutWithTheSameMasks_RunningAverages()
    {
        const int batch = 6, seed = 11;
        var model = new ResBnNet(seed);
        var graph = ConvReferenceGraphs.ResBnNet();
        var x = Floats(batch * 196, 5);
        var y = Labels(batch, 10, 6);
        // Move the running averages off their initial (0, 1), so inference really reads them.
        var random = new Dl.SeededRandom(7);
        foreach (var s in model.StateLayout)
            for (int i = 0; i < s.Length; i++)
                model.State[s.Offset + i] = s.Name.EndsWith("running_var") ? 0.5f + (float)random.NextDouble() : (float)(random.NextDouble() - 0.5);
        CheckAll(model, graph, batch, seed, x, y, gradientTolerance: 5e-3);
    }

    [Fact]
    public void Dropout_NextStepDrawsNewMasks_StillMatchingTheReference()
    {
        const int batch = 4, seed = 3;
        var model = new ResBnNet(seed);
        var graph = ConvReferenceGraphs.ResBnNet();
        var x = Floats(batch * 196, 8);
        var y = Labels(batch, 10, 9);
        float first = model.ComputeGradients(x, y);           // step 0
        var reference = Reference.Run(graph, model, batch, seed, step: 1, ("image", x), ("label", y));
        float second = model.Evaluate(x, y);                   // step 1: other masks, other loss
        Assert.NotEqual(first, second);
        Assert.Equal(reference.Loss, second, 4);
    }

    [Fact]
    public void ConvAutoencoder_TransposedConvolutionsMatchTheReference()
    {
        const int batch = 2;
        var model = new ConvAutoencoder(seed: 6);
        var graph = ConvReferenceGraphs.ConvAutoencoder();
        var x = Floats(batch * 784, 10).Select(v => (v + 1) / 2).ToArray();
        var reference = Reference.Run(graph, model, batch, ("image", x), ("target", x));
        Reference.Close(model.Predict(x), reference.Output, 1e-4, 1e-3, "output");
        Assert.Equal(reference.Loss, model.ComputeGradients(x, x), 5);
        foreach (var p in model.ParameterLayout)
            Reference.Close(model.Gradients.Slice(p.Offset, p.Length), reference.Gradients[p.Name], 1e-6, 1e-3, "d" + p.Name);
    }

    [Fact]
    public void RuntimeDropoutMasks_AreTheGraphsMasksBitForBit()
    {
        var mask = new float[10_000];
        Dl.Cpu.Dropout.Mask(mask, 0.3f, stream: 12345, seed: 7, step: 42);
        var g = new GraphBuilder();
        var op = new DropoutMaskOp(0.3f, 12345, new Shape(10_000));
        var expected = op.Evaluate(Array.Empty<TensorValue>(), new EvalContext(1, seed: 7, step: 42));
        for (int i = 0; i < mask.Length; i++)
            Assert.Equal((float)expected[i], mask[i]);
        Assert.InRange(mask.Count(v => v == 0) / 10_000.0, 0.28, 0.32);
    }
}
