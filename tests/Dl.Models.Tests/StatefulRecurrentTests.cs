using Dl.Compiler;
using Dl.Graph;
using Dl.Models.Tests.Models;
using static Dl.Models.Tests.TestInputs;

namespace Dl.Models.Tests;

/// <summary>
/// Stateful recurrent layers compiled: the state is carried from call to call (two windows give what
/// one call on the whole sequence gives), ResetState and a new batch size start from zeros, the
/// gradient of a window is truncated at its start (the carried state is a constant: the reference
/// evaluator fed the previous window's final states as h0/c0 gives the same gradients), and a steady
/// training loop allocates nothing.
/// </summary>
public class StatefulRecurrentTests
{
    private const int Steps = 3, Features = 3, Out = 5;

    /// <summary>Steps [from, from + count) of each sample of a batch-first sequence [N, steps, features].</summary>
    private static float[] Window(float[] x, int batch, int steps, int features, int from, int count)
    {
        var w = new float[batch * count * features];
        for (int n = 0; n < batch; n++)
            Array.Copy(x, (n * steps + from) * features, w, n * count * features, count * features);
        return w;
    }

    private static StatefulSequence Stateful() => new(seed: 5);

    [Fact]
    public void TwoWindows_GiveTheWholeSequencesOutput_AndResetStateStartsAgain()
    {
        const int batch = 4;
        var model = Stateful();
        var whole = new WholeSequence(seed: 1);
        Assert.Equal(model.ParameterLayout.Select(p => (p.Name, p.Offset, p.Length)), whole.ParameterLayout.Select(p => (p.Name, p.Offset, p.Length)));
        model.Parameters.CopyTo(whole.Parameters);
        var x = Floats(batch * 2 * Steps * Features, 11);
        var first = Window(x, batch, 2 * Steps, Features, 0, Steps);
        var second = Window(x, batch, 2 * Steps, Features, Steps, Steps);

        var out1 = model.Predict(first).ToArray();
        var out2 = model.Predict(second).ToArray();
        var all = whole.Predict(x).ToArray();
        Reference.Close(out1, Window(all, batch, 2 * Steps, Out, 0, Steps).Select(v => (double)v).ToArray(), 1e-5, 1e-4, "first window");
        Reference.Close(out2, Window(all, batch, 2 * Steps, Out, Steps, Steps).Select(v => (double)v).ToArray(), 1e-5, 1e-4, "second window");

        // Without a reset the first window starts from the second's final state: not the same output.
        Assert.NotEqual(out1, model.Predict(first).ToArray());
        model.ResetState();
        Assert.Equal(out1, model.Predict(first).ToArray());
        Assert.Equal(out2, model.Predict(second).ToArray());

        // Every call carries: Evaluate and ComputeGradients too.
        var t = Floats(batch * Steps * Out, 12);
        model.ResetState();
        model.Evaluate(first, t);
        Reference.Close(model.Predict(second), out2.Select(v => (double)v).ToArray(), 1e-6, 1e-5, "after Evaluate");
        model.ResetState();
        model.ComputeGradients(first, t);
        Reference.Close(model.Predict(second), out2.Select(v => (double)v).ToArray(), 1e-6, 1e-5, "after ComputeGradients");
    }

    /// <summary>The stateful model's layers as a graph with explicit initial states, and its results.</summary>
    private static (ModelGraph Graph, RecurrentResult Lstm, RecurrentResult Gru) WindowGraph()
    {
        var g = new GraphBuilder();
        static Shape B(params int[] dims) => new(new[] { Dim.Batch }.Concat(dims.Select(d => Dim.Of(d))));
        var x = g.Input("x", B(Steps, Features));
        var h0 = g.Input("lstm.h0", B(2, 4));
        var c0 = g.Input("lstm.c0", B(2, 4));
        var gh0 = g.Input("gru.h0", B(1, Out));
        var target = g.Input("target", B(Steps, Out));
        var lstm = Layers.Lstm(g, "lstm", x, Features, 4, layers: 2, h0: h0, c0: c0);
        var gru = Layers.Gru(g, "gru", lstm.Output, 4, Out, h0: gh0);
        return (new ModelGraph("Window", g, new[] { x, h0, c0, gh0, target }, gru.Output, g.Mse(gru.Output, target)), lstm, gru);
    }

    [Fact]
    public void TheSecondWindowsGradient_IsTruncated_AtTheCarriedState()
    {
        const int batch = 3;
        var model = Stateful();
        var x = Floats(batch * 2 * Steps * Features, 21);
        var first = Window(x, batch, 2 * Steps, Features, 0, Steps);
        var second = Window(x, batch, 2 * Steps, Features, Steps, Steps);
        var t1 = Floats(batch * Steps * Out, 22);
        var t2 = Floats(batch * Steps * Out, 23);
        model.ComputeGradients(first, t1);
        float loss = model.ComputeGradients(second, t2);
        var gradients = model.Gradients.ToArray();

        var (graph, lstm, gru) = WindowGraph();
        var layout = model.ParameterLayout.ToDictionary(p => p.Name);
        Dictionary<Node, TensorValue> Run(IEnumerable<Node> roots, float[] window, float[] target, double[]? h, double[]? c, double[]? gh, bool training)
        {
            var values = new Dictionary<string, double[]>
            {
                ["x"] = window.Select(v => (double)v).ToArray(), ["target"] = target.Select(v => (double)v).ToArray(),
                ["lstm.h0"] = h ?? new double[batch * 2 * 4], ["lstm.c0"] = c ?? new double[batch * 2 * 4], ["gru.h0"] = gh ?? new double[batch * Out],
            };
            TensorValue Bind(Node n) => n.Op is ParamOp p
                ? new TensorValue(layout[p.ParamName].Shape, model.Parameters.Slice(layout[p.ParamName].Offset, layout[p.ParamName].Length).ToArray().Select(v => (double)v).ToArray())
                : new TensorValue(n.Shape.Resolve(batch), values[((InputOp)n.Op).InputName]);
            return Evaluator.Run(roots, Bind, new EvalContext(batch, training));
        }

        // The first window from zeros: its final states are the second window's constant h0/c0.
        var finals = new[] { lstm.FinalHidden, lstm.FinalCell!, gru.FinalHidden };
        var firstRun = Run(finals, first, t1, null, null, null, training: true);
        var grads = Autodiff.Gradients(graph.Builder, graph.Loss!, graph.Parameters);
        var roots = new[] { graph.Loss! }.Concat(grads).ToList();
        var truncated = Run(roots, second, t2, firstRun[finals[0]].Data, firstRun[finals[1]].Data, firstRun[finals[2]].Data, training: true);
        Assert.Equal(truncated[graph.Loss!].Data[0], loss, 4);
        var names = graph.Parameters.Select(p => ((ParamOp)p.Op).ParamName).ToList();
        foreach (var (name, d) in names.Zip(grads))
            Reference.Close(gradients.AsSpan(layout[name].Offset, layout[name].Length), truncated[d].Data, 1e-5, 1e-3, "d" + name);

        // The carried state matters to the gradient: from zeros it is another one.
        var fromZeros = Run(roots, second, t2, null, null, null, training: true);
        Assert.Contains(names.Zip(grads), p => fromZeros[p.Second].Data.Zip(truncated[p.Second].Data).Any(v => Math.Abs(v.First - v.Second) > 1e-3));
    }

    [Fact]
    public void ANewBatchSize_StartsFromZeros()
    {
        var model = Stateful();
        var fresh = Stateful();
        var two = Floats(2 * Steps * Features, 31);
        var three = Floats(3 * Steps * Features, 32);
        var fromZerosTwo = fresh.Predict(two).ToArray();
        var fromZerosThree = Stateful().Predict(three).ToArray();

        Assert.Equal(fromZerosTwo, model.Predict(two).ToArray());
        Assert.NotEqual(fromZerosTwo, model.Predict(two).ToArray()); // carried
        Assert.Equal(fromZerosThree, model.Predict(three).ToArray()); // 3 rows: the carried 2 are not theirs
        Assert.NotEqual(fromZerosThree, model.Predict(three).ToArray());
        Assert.Equal(fromZerosTwo, model.Predict(two).ToArray());     // back to 2: zeros again, though the buffer is larger
    }

    [Fact]
    public void ASteadyStatefulTrainingLoop_AllocatesNothing()
    {
        var model = new StatefulSequence(seed: 1) { LearningRate = 0.01f };
        var x = Floats(16 * Steps * Features, 41);
        var t = Floats(16 * Steps * Out, 42);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do { model.TrainStep(x, t); model.Predict(x); } while (clock.ElapsedMilliseconds < 300);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) model.TrainStep(x, t);
        for (int i = 0; i < 20; i++) model.Predict(x);
        model.ResetState();
        for (int i = 0; i < 5; i++) model.TrainStep(x, t);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
