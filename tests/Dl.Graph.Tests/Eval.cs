using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Graph.Tests;

/// <summary>Small helpers to run the reference evaluator on hand-written values.</summary>
public static class Eval
{
    public static TensorValue T(int[] dims, params double[] data) => new(dims, data);

    public static TensorValue Range(params int[] dims) =>
        new(dims, Enumerable.Range(0, dims.Aggregate(1, (p, d) => p * d)).Select(i => (double)i).ToArray());

    /// <summary>Evaluates <paramref name="root"/>, binding each input node by its name.</summary>
    public static TensorValue Run(Node root, int batch, params (string Name, TensorValue Value)[] inputs)
    {
        var byName = inputs.ToDictionary(i => i.Name, i => i.Value);
        return Evaluator.Run(new[] { root }, n => n.Op is InputOp op && byName.TryGetValue(op.InputName, out var v)
            ? v : throw new InvalidOperationException($"no value for {n}"), batch)[root];
    }

    public static void Close(IReadOnlyList<double> expected, TensorValue actual, int[]? dims = null, double tol = 1e-9)
    {
        if (dims is not null) Xunit.Assert.Equal(dims, actual.Dims);
        Xunit.Assert.Equal(expected.Count, actual.Length);
        for (int i = 0; i < expected.Count; i++)
            Xunit.Assert.True(Math.Abs(expected[i] - actual[i]) <= tol,
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R} (all: {string.Join(", ", actual.Data)})");
    }
}
