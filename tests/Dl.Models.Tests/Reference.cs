using Dl.Compiler;
using Dl.Graph;

namespace Dl.Models.Tests;

// Also compiled into Dl.Gpu.Tests (linked from its .csproj).

/// <summary>Runs a reference graph in double precision with a compiled model's current parameters.</summary>
internal static class Reference
{
    /// <summary>The forward output (inference mode), the loss and gradients (training mode), and each state's value after the step.</summary>
    public sealed record Result(double[] Output, double Loss, Dictionary<string, double[]> Gradients, Dictionary<string, double[]> States);

    public static Result Run(ModelGraph graph, Dl.ICompiledModel model, int batch, params (string Name, Array Values)[] inputs) =>
        Run(graph, model, batch, seed: 0, step: 0, inputs);

    /// <summary>
    /// As the compiled model runs: Predict in inference mode, Evaluate/ComputeGradients in training
    /// mode with the dropout masks of <paramref name="seed"/> and <paramref name="step"/>; parameters
    /// and state are the model's current values.
    /// </summary>
    public static Result Run(ModelGraph graph, Dl.ICompiledModel model, int batch, int seed, long step, params (string Name, Array Values)[] inputs)
    {
        var g = graph.Builder;
        var parameters = graph.Parameters;
        var gradients = Autodiff.Gradients(g, graph.Loss!, parameters);
        var layout = model.ParameterLayout.ToDictionary(p => p.Name);
        var stateLayout = (model as Dl.IStatefulModel)?.StateLayout.ToDictionary(p => p.Name);
        TensorValue Bind(Node node)
        {
            if (node.Op is ParamOp p)
            {
                var info = layout[p.ParamName];
                Assert.Equal(node.Shape.Select(d => d.Size), info.Shape);
                return new TensorValue(info.Shape, model.Parameters.Slice(info.Offset, info.Length).ToArray().Select(v => (double)v).ToArray());
            }
            if (node.Op is StateOp s)
            {
                var info = stateLayout![s.StateName];
                return new TensorValue(info.Shape, ((Dl.IStatefulModel)model).State.Slice(info.Offset, info.Length).ToArray().Select(v => (double)v).ToArray());
            }
            var input = (InputOp)node.Op;
            var array = inputs.Single(i => i.Name == input.InputName).Values;
            var data = array is int[] ints ? ints.Select(v => (double)v).ToArray() : ((float[])array).Select(v => (double)v).ToArray();
            return new TensorValue(node.Shape.Resolve(batch), data);
        }
        var updates = graph.StateUpdates;
        var output = Evaluator.Run(new[] { graph.Output }, Bind, new EvalContext(batch, training: false, seed, step))[graph.Output];
        var values = Evaluator.Run(new[] { graph.Loss! }.Concat(gradients).Concat(updates.Select(u => u.Value)), Bind, new EvalContext(batch, training: true, seed, step));
        return new Result(output.Data, values[graph.Loss!].Data[0],
            parameters.Zip(gradients).ToDictionary(t => ((ParamOp)t.First.Op).ParamName, t => values[t.Second].Data),
            updates.ToDictionary(u => ((StateOp)u.State.Op).StateName, u => values[u.Value].Data));
    }

    /// <summary>Asserts two vectors agree to |a-b| &lt;= abs + rel·|b| elementwise, naming the first offender.</summary>
    public static void Close(ReadOnlySpan<float> actual, double[] expected, double abs, double rel, string what)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= abs + rel * Math.Abs(expected[i]), $"{what}[{i}]: compiled {actual[i]:R}, reference {expected[i]:R}, error {err:E2}");
        }
    }
}
