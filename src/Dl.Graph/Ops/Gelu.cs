using System;
using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>
/// The complementary error function erfc x = 1 - erf x = (2/√π)∫ₓ^∞ e^(-t²) dt in double: the double-precision meaning
/// of the exact GELU and of Φ (netstandard2.0 has no Math.Erf). For |x| &lt; 2, 1 - erf x by erf's Maclaurin series
/// (terms fall below 1e-17 of the sum; at most e^4 of cancellation, so about 1e-14 absolute); from 2 on, the
/// continued fraction erfc x = e^(-x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...)))) evaluated from 300
/// terms back (relative error near 1e-15); erfc(-x) = 2 - erfc x. Tested against published values.
/// </summary>
public static class ErrorFunction
{
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2) return 1 - ErfSeries(x);
        if (x > 27) return 0;   // e^(-729) is below the smallest double
        double f = 0;
        for (int k = 300; k >= 1; k--) f = k / 2.0 / (x + f);
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / (x + f);
    }

    public static double Erf(double x) => double.IsNaN(x) ? x : Math.Abs(x) < 2 ? ErfSeries(x) : 1 - Erfc(x);

    /// <summary>erf x = (2/√π) Σ (-1)^n x^(2n+1) / (n! (2n+1)).</summary>
    private static double ErfSeries(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++)
        {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}

/// <summary>Φ(x) = P(Z ≤ x) for a standard normal Z = ½·erfc(-x/√2): 0 for x → -∞ without cancellation. Its derivative is φ(x) = e^(-x²/2)/√(2π).</summary>
public sealed class NormalCdfOp : UnaryOp
{
    public const double InvSqrt2 = 0.70710678118654752, InvSqrt2Pi = 0.39894228040143268;
    public override string Name => "NormalCdf";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => 0.5 * ErrorFunction.Erfc(-x * InvSqrt2);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.NormalPdf(y[0])) };
}

/// <summary>
/// GELU, exact form (PyTorch's <c>gelu(x)</c>, <c>approximate='none'</c>): x·Φ(x) = ½·x·(1 + erf(x/√2)), computed as
/// ½·x·erfc(-x/√2) so the negative tail has no cancellation. (<see cref="GeluTanhOp"/> is the tanh approximation.)
/// The gradient is Φ(x) + x·φ(x).
/// </summary>
public sealed class GeluOp : UnaryOp
{
    public override string Name => "Gelu";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => x * new NormalCdfOp().Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var x = y[0];
        return new[] { g.Mul(dy, g.Add(g.NormalCdf(x), g.Mul(x, g.NormalPdf(x)))) };
    }
}

public sealed partial class GraphBuilder
{
    public Node Gelu(Node x) => Apply(new GeluOp(), x);
    public Node NormalCdf(Node x) => Apply(new NormalCdfOp(), x);

    /// <summary>φ(x) = e^(-x²/2)/√(2π), the standard normal density, from existing ops.</summary>
    public Node NormalPdf(Node x) => Scale(Exp(Scale(Mul(x, x), -0.5)), NormalCdfOp.InvSqrt2Pi);
}
