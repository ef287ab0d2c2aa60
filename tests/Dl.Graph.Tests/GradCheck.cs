using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;

namespace Dl.Graph.Tests;

/// <summary>How one input of a checked function is declared and filled with (seeded) random values.</summary>
public sealed class InputSpec
{
    private InputSpec(string name, Shape shape, DType type, Func<Random, double> sample, bool differentiate)
    {
        Name = name; Shape = shape; Type = type; Sample = sample; Differentiate = differentiate;
    }

    public string Name { get; }
    public Shape Shape { get; }
    public DType Type { get; }
    public Func<Random, double> Sample { get; }
    public bool Differentiate { get; }

    /// <summary>A float input with values uniform in [lo, hi).</summary>
    public static InputSpec Float(string name, Shape shape, double lo = -1, double hi = 1) =>
        new(name, shape, DType.Float32, r => lo + (hi - lo) * r.NextDouble(), true);

    /// <summary>A float input whose values are at least <paramref name="gap"/> away from zero (for kinks at 0).</summary>
    public static InputSpec AwayFromZero(string name, Shape shape, double gap = 0.1, double max = 1) =>
        new(name, shape, DType.Float32, r => (r.Next(2) == 0 ? -1 : 1) * (gap + (max - gap) * r.NextDouble()), true);

    /// <summary>A float input that is bound but not differentiated (e.g. a regression target).</summary>
    public static InputSpec Constant(string name, Shape shape, double lo = 0, double hi = 1) =>
        new(name, shape, DType.Float32, r => lo + (hi - lo) * r.NextDouble(), false);

    /// <summary>A float mask of 0s and 1s (a Where's condition): bound, never differentiated.</summary>
    public static InputSpec Mask(string name, Shape shape) =>
        new(name, shape, DType.Float32, r => r.Next(2), false);

    /// <summary>Integer class labels in [0, classes): bound, never differentiated.</summary>
    public static InputSpec Labels(string name, Shape shape, int classes) =>
        new(name, shape, DType.Int32, r => r.Next(classes), false);
}

/// <summary>One differentiated tensor element whose analytic and numeric gradients disagree.</summary>
public sealed record GradMismatch(string Source, int Index, double Analytic, double Numeric, double Error, double Tolerance);

/// <summary>The outcome of a gradient check: every compared element, the worst error, and what failed.</summary>
public sealed class GradCheckResult
{
    public int Compared { get; internal set; }
    public double MaxAbsError { get; internal set; }
    /// <summary>max over elements of error / tolerance: below 1 means the check passed.</summary>
    public double MaxErrorRatio { get; internal set; }
    public List<GradMismatch> Mismatches { get; } = new();
    /// <summary>Structural failures: a gradient of the wrong shape, a non-finite value.</summary>
    public List<string> Problems { get; } = new();
    public bool Passed => Mismatches.Count == 0 && Problems.Count == 0;

    public override string ToString()
    {
        var lines = new List<string>
        {
            $"gradient check {(Passed ? "passed" : "FAILED")}: {Compared} elements, max |error| {MaxAbsError:G3}, max error/tolerance {MaxErrorRatio:G3}",
        };
        lines.AddRange(Problems);
        lines.AddRange(Mismatches.Take(10).Select(m =>
            $"  d/d{m.Source}[{m.Index}]: analytic {m.Analytic:R} numeric {m.Numeric:R} |error| {m.Error:G3} > tolerance {m.Tolerance:G3}"));
        if (Mismatches.Count > 10) lines.Add($"  ... and {Mismatches.Count - 10} more");
        return string.Join("\n", lines);
    }
}

/// <summary>Thrown by <see cref="GradCheck.Verify"/> when the analytic gradient disagrees with finite differences.</summary>
public sealed class GradCheckException : Exception
{
    public GradCheckException(GradCheckResult result) : base(result.ToString()) => Result = result;
    public GradCheckResult Result { get; }
}

/// <summary>
/// Numerical gradient checking in the manner of JAX's <c>check_grads</c>. The function under test
/// builds any-shaped output from its input nodes; the checker reduces it to the scalar
/// <c>Sum(output * R)</c> with a fixed random R (so every output element's gradient counts),
/// differentiates with <see cref="Autodiff.Gradients"/>, evaluates with the reference
/// <see cref="Evaluator"/> and compares every element with central finite differences in double.
/// Parameters the function creates (e.g. inside <c>Layers.Dense</c>) are bound to random values
/// and checked too; state nodes (running averages) are bound to random positive values.
/// </summary>
public static class GradCheck
{
    public const int DefaultBatch = 3;

    public static GradCheckResult Check(
        Func<GraphBuilder, Node[], Node> build,
        IReadOnlyList<InputSpec> inputs,
        int batch = DefaultBatch,
        int seed = 1234,
        double h = 1e-6,
        double atol = 1e-6,
        double rtol = 1e-5,
        bool includeParams = true)
    {
        var g = new GraphBuilder();
        var rng = new Random(seed);
        var inputNodes = inputs.Select(s => g.Input(s.Name, s.Shape, s.Type)).ToArray();
        var output = build(g, inputNodes);
        if (output.Type != DType.Float32)
            throw new ArgumentException("the checked function must produce a float tensor");

        var values = new Dictionary<Node, TensorValue>();
        for (int i = 0; i < inputs.Count; i++)
            values[inputNodes[i]] = Random(inputs[i].Shape.Resolve(batch), rng, inputs[i].Sample);

        var r = g.Input("__R", output.Shape);
        values[r] = Random(output.Shape.Resolve(batch), rng, x => -1 + 2 * x.NextDouble());
        var loss = g.Sum(g.Mul(output, r));

        var wrt = new List<(string Name, Node Node)>();
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].Differentiate) wrt.Add((inputs[i].Name, inputNodes[i]));
        // Parameters are always bound; they are differentiated unless includeParams is false.
        foreach (var p in GraphBuilder.Topological(new[] { output }).Where(n => n.Op is ParamOp).OrderBy(n => n.Id))
        {
            values[p] = Random(p.Shape.Resolve(batch), rng, x => -1 + 2 * x.NextDouble());
            if (includeParams) wrt.Add((((ParamOp)p.Op).ParamName, p));
        }
        // State (running averages) is bound, never differentiated; positive so it can stand for a variance.
        foreach (var s in GraphBuilder.Topological(new[] { output }).Where(n => n.Op is StateOp).OrderBy(n => n.Id))
            values[s] = Random(s.Shape.Resolve(batch), rng, x => 0.5 + x.NextDouble());
        // So is the state a stateful recurrent layer carried from its previous call (truncated BPTT: a constant).
        foreach (var s in GraphBuilder.Topological(new[] { output }).Where(n => n.Op is CarriedStateOp).OrderBy(n => n.Id))
            values[s] = Random(s.Shape.Resolve(batch), rng, x => -1 + 2 * x.NextDouble());

        TensorValue Bind(Node n) => values.TryGetValue(n, out var v)
            ? v : throw new InvalidOperationException($"the checker has no value for {n}");

        var grads = Autodiff.Gradients(g, loss, wrt.Select(w => w.Node).ToList());
        var analytic = Evaluator.Run(grads, Bind, batch);

        var result = new GradCheckResult();
        double Loss() => Evaluator.Run(new[] { loss }, Bind, batch)[loss][0];

        for (int k = 0; k < wrt.Count; k++)
        {
            var (name, node) = wrt[k];
            var x = values[node];
            var a = analytic[grads[k]];
            if (!a.Dims.SequenceEqual(x.Dims))
            {
                result.Problems.Add($"  d/d{name}: gradient has shape [{string.Join(",", a.Dims)}], the source has [{string.Join(",", x.Dims)}]");
                continue;
            }
            for (int i = 0; i < x.Length; i++)
            {
                double saved = x[i];
                x[i] = saved + h;
                double up = Loss();
                x[i] = saved - h;
                double down = Loss();
                x[i] = saved;
                double numeric = (up - down) / (2 * h);
                double error = Math.Abs(a[i] - numeric);
                double tolerance = atol + rtol * Math.Abs(numeric);
                result.Compared++;
                if (double.IsNaN(a[i]) || double.IsInfinity(a[i]) || double.IsNaN(numeric) || double.IsInfinity(numeric))
                {
                    result.Problems.Add($"  d/d{name}[{i}]: non-finite value (analytic {a[i]}, numeric {numeric})");
                    continue;
                }
                result.MaxAbsError = Math.Max(result.MaxAbsError, error);
                result.MaxErrorRatio = Math.Max(result.MaxErrorRatio, error / tolerance);
                if (!(error <= tolerance))
                    result.Mismatches.Add(new GradMismatch(name, i, a[i], numeric, error, tolerance));
            }
        }
        return result;
    }

    /// <summary>Runs <see cref="Check"/> and throws <see cref="GradCheckException"/> when it fails.</summary>
    public static GradCheckResult Verify(Func<GraphBuilder, Node[], Node> build, params InputSpec[] inputs)
    {
        var result = Check(build, inputs);
        if (!result.Passed) throw new GradCheckException(result);
        Xunit.Assert.True(result.Compared > 0, "the check compared no gradient elements");
        return result;
    }

    public static TensorValue Random(int[] dims, Random rng, Func<Random, double> sample)
    {
        var t = TensorValue.Zeros(dims);
        for (int i = 0; i < t.Length; i++) t[i] = sample(rng);
        return t;
    }

    /// <summary>Parses "N,4" / "3" / "" (scalar) into a shape; N is the batch dim.</summary>
    public static Shape S(string dims) =>
        dims.Length == 0 ? Shape.Scalar
        : new Shape(dims.Split(',').Select(d => d.Trim() == "N" ? Dim.Batch : Dim.Of(int.Parse(d, CultureInfo.InvariantCulture))));
}
