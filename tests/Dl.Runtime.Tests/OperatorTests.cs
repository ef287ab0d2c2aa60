using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Dl.Graph;
using Dl.Operators;

namespace Dl.Runtime.Tests;

/// <summary>
/// Every elementwise op of the graph against its operator struct: the struct named by the op exists;
/// its float, Vector128, Vector256 and Vector512 overloads give the same bits on random and edge
/// inputs (so a tensor's elements do not depend on which width, body or tail, computed them); and
/// its float result is within a few ulps of the op's double-precision reference (Dl.Graph's evaluator).
/// The vector overloads run whether or not the hardware accelerates that width (software fallback).
/// </summary>
public class OperatorTests
{
    /// <summary>Every unary op the graph has, with arguments off their defaults.</summary>
    public static IEnumerable<object[]> UnaryOps() => new UnaryOp[]
    {
        new NegOp(), new ExpOp(), new LogOp(), new ReluOp(), new SigmoidOp(), new TanhOp(), new StepOp(), new ScaleOp(-0.37, 0),
        new LeakyReluOp(0.05), new EluOp(0.7), new SoftplusOp(), new AbsOp(), new SignOp(), new RsqrtOp(),
        new SiluOp(), new GeluTanhOp(), new HardSigmoidOp(), new SqrtOp(),
        new PowOp(2.5), new PowOp(3), new PowOp(-2), new PowOp(-0.75), new PowOp(2), new PowOp(0),
        new ClampOp(-0.5, 2), new ClampOp(3, 3), new NormalCdfOp(), new GeluOp(),
    }.Select(o => new object[] { o.Key, o });

    public static IEnumerable<object[]> BinaryOps() => new BinaryOp[] { new AddOp(), new SubOp(), new MulOp(), new DivOp(), new MaximumOp(), new MinimumOp(),
        new GreaterOp(), new LessOp(), new GreaterEqualOp(), new LessEqualOp(), new EqualOp() }
        .Select(o => new object[] { o.Key, o });

    private static readonly float[] Edges =
    {
        0f, -0f, 1f, -1f, 0.5f, -0.5f, 1e-3f, -1e-3f, 1e-7f, -1e-7f, 1e-30f, -1e-30f, 1e-40f, -1e-40f, float.Epsilon,
        10f, -10f, 20f, -20f, 80f, -80f, 87.3f, -87.3f, 88.7f, 88.73f, -88.73f, 100f, -100f, -103.9f, -104.5f,
        1e10f, -1e10f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        0.7071067f, 0.70710677f, 1.4142135f, 1.4142137f, 2f, 3f, 1e30f,
    };

    /// <summary>Edge values then random values of several scales: a multiple of 16 (whole Vector512s).</summary>
    private static float[] Inputs(int seed)
    {
        var r = new Dl.SeededRandom(seed);
        var values = new List<float>(Edges);
        foreach (double scale in new[] { 1e-4, 0.1, 1, 5, 30, 90, 1e6 })
            for (int i = 0; i < 96; i++) values.Add((float)((r.NextDouble() * 2 - 1) * scale));
        for (int i = 0; i < 64; i++) values.Add((float)Math.Exp((r.NextDouble() * 2 - 1) * 80));   // positive, over many octaves
        while (values.Count % 16 != 0) values.Add((float)r.NextDouble());
        return values.ToArray();
    }

    internal static IUnaryOperator Operator(Op op)
    {
        var description = op.Operator ?? throw new InvalidOperationException($"{op.Name} names no operator");
        var type = typeof(IUnaryOperator).Assembly.GetType("Dl.Operators." + description.Name)
            ?? throw new InvalidOperationException($"{op.Name} names Dl.Operators.{description.Name}, which does not exist");
        var arguments = description.Arguments.Select(a => (object)(float)a.Value).ToArray();
        return (IUnaryOperator)Activator.CreateInstance(type, arguments.Length == 0 ? null : arguments)!;
    }

    private static IBinaryOperator BinaryOperator(Op op) =>
        (IBinaryOperator)Activator.CreateInstance(typeof(IBinaryOperator).Assembly.GetType("Dl.Operators." + op.Operator!.Name)!)!;

    private static void SameBits(float expected, float actual, string what)
    {
        if (float.IsNaN(expected) && float.IsNaN(actual)) return;
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{what}: {expected:R} vs {actual:R}");
    }

    /// <summary>
    /// |float - double| within <paramref name="ulps"/> ulps of the result (4 unless the operator documents more), or 2e-7
    /// absolute (tanh near 0 loses relative precision by its formula).
    /// </summary>
    private static void Close(double reference, float actual, string what, double ulps = 4)
    {
        if (double.IsNaN(reference)) { Assert.True(float.IsNaN(actual), $"{what}: expected NaN, got {actual:R}"); return; }
        double r = (float)reference;   // the double rounded to float: overflow to ∞, underflow to 0 as a float must
        if (double.IsInfinity(r)) { Assert.True(r == actual, $"{what}: expected {r}, got {actual:R}"); return; }
        double ulp = Math.Max(Math.Abs(r) * 1.2e-7, 1.5e-45);
        Assert.True(Math.Abs(actual - reference) <= Math.Max(ulps * ulp, 2e-7), $"{what}: expected {reference:R}, got {actual:R}");
    }

    /// <summary>The error an operator documents: Pow's e^(p·ln x) carries ln x's rounding times p·ln x (Dl.Operators.Pow).</summary>
    private static double Ulps(UnaryOp op, float x)
    {
        if (op is not PowOp pow) return 4;
        double amplified = Math.Abs(pow.Exponent * Math.Log(Math.Abs((double)x)));
        return double.IsNaN(amplified) ? 4 : 4 + 2 * amplified;   // NaN: p = 0 at x = 0, where the result is exactly 1
    }

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_EveryWidthSameBits_AndCloseToReference(string key, UnaryOp op)
    {
        var f = Operator(op);
        var x = Inputs(key.Length);
        var context = new EvalContext(1);
        for (int i = 0; i < x.Length; i += 16)
        {
            var v512 = f.Invoke(Vector512.Create(x.AsSpan(i, 16)));
            for (int h = 0; h < 2; h++)
            {
                var v256 = f.Invoke(Vector256.Create(x.AsSpan(i + 8 * h, 8)));
                for (int q = 0; q < 2; q++)
                {
                    var v128 = f.Invoke(Vector128.Create(x.AsSpan(i + 8 * h + 4 * q, 4)));
                    for (int l = 0; l < 4; l++)
                    {
                        int e = i + 8 * h + 4 * q + l;
                        float s = f.Invoke(x[e]);
                        string what = $"{key}({x[e]:R})";
                        SameBits(s, v128[l], what + " Vector128");
                        SameBits(s, v256[4 * q + l], what + " Vector256");
                        SameBits(s, v512[8 * h + 4 * q + l], what + " Vector512");
                        Close(op.Apply(x[e], context), s, what, Ulps(op, x[e]));
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Binary_EveryWidthSameBits_AndCloseToReference(string key, BinaryOp op)
    {
        var f = BinaryOperator(op);
        var x = Inputs(1);
        var y = x.Reverse().ToArray();
        for (int i = 0; i < x.Length; i += 16)
        {
            var v512 = f.Invoke(Vector512.Create(x.AsSpan(i, 16)), Vector512.Create(y.AsSpan(i, 16)));
            var v256 = f.Invoke(Vector256.Create(x.AsSpan(i, 8)), Vector256.Create(y.AsSpan(i, 8)));
            var v128 = f.Invoke(Vector128.Create(x.AsSpan(i, 4)), Vector128.Create(y.AsSpan(i, 4)));
            for (int l = 0; l < 16; l++)
            {
                float s = f.Invoke(x[i + l], y[i + l]);
                string what = $"{key}({x[i + l]:R}, {y[i + l]:R})";
                SameBits(s, v512[l], what + " Vector512");
                if (l < 8) SameBits(s, v256[l], what + " Vector256");
                if (l < 4) SameBits(s, v128[l], what + " Vector128");
                Close((float)op.Apply(x[i + l], y[i + l]), s, what);
            }
        }
    }

    /// <summary>The float erfc (Dl.Operators.Erfc) against the double one over z in [-9, 9.1], where the result is a normal float: relative error below 5e-7.</summary>
    [Fact]
    public void Erfc_IsWithinItsStatedErrorOfTheDoubleReference()
    {
        var erfc = default(Erfc);
        double worst = 0;
        for (double z = -9; z <= 9.1; z += 1.0 / 1024)
        {
            float x = (float)z;
            double reference = ErrorFunction.Erfc(x);
            double relative = Math.Abs(erfc.Invoke(x) - reference) / reference;
            worst = Math.Max(worst, relative);
            Assert.True(relative < 5e-7, $"erfc({x:R}) = {erfc.Invoke(x):R}, expected {reference:R} (relative error {relative:G3})");
        }
        Assert.True(worst > 0, "compared nothing");
        Assert.Equal(0f, erfc.Invoke(float.PositiveInfinity));
        Assert.Equal(2f, erfc.Invoke(float.NegativeInfinity));
        Assert.True(float.IsNaN(erfc.Invoke(float.NaN)));
    }

    [Fact]
    public void Erfc_EveryWidthSameBits()
    {
        var f = default(Erfc);
        var x = Inputs(7);
        for (int i = 0; i < x.Length; i += 16)
        {
            var v512 = f.Invoke(Vector512.Create(x.AsSpan(i, 16)));
            var v256 = f.Invoke(Vector256.Create(x.AsSpan(i, 8)));
            var v128 = f.Invoke(Vector128.Create(x.AsSpan(i, 4)));
            for (int l = 0; l < 16; l++)
            {
                float s = f.Invoke(x[i + l]);
                SameBits(s, v512[l], $"Erfc({x[i + l]:R}) Vector512");
                if (l < 8) SameBits(s, v256[l], $"Erfc({x[i + l]:R}) Vector256");
                if (l < 4) SameBits(s, v128[l], $"Erfc({x[i + l]:R}) Vector128");
            }
        }
    }

    [Fact]
    public void Where_EveryWidthSameBits_AndTheReferenceMeaning()
    {
        var f = (Where)Activator.CreateInstance(typeof(IUnaryOperator).Assembly.GetType("Dl.Operators." + new WhereOp().Operator!.Name)!)!;
        var a = Inputs(3);
        var b = a.Reverse().ToArray();
        // Conditions: zeros of both signs, NaN, ±∞ and the inputs themselves (mostly nonzero).
        var c = a.Select((v, i) => (i % 5) switch { 0 => 0f, 1 => -0f, 2 => i % 3 == 0 ? float.NaN : float.NegativeInfinity, _ => v }).ToArray();
        for (int i = 0; i < a.Length; i += 16)
        {
            var v512 = f.Invoke(Vector512.Create(c.AsSpan(i, 16)), Vector512.Create(a.AsSpan(i, 16)), Vector512.Create(b.AsSpan(i, 16)));
            var v256 = f.Invoke(Vector256.Create(c.AsSpan(i, 8)), Vector256.Create(a.AsSpan(i, 8)), Vector256.Create(b.AsSpan(i, 8)));
            var v128 = f.Invoke(Vector128.Create(c.AsSpan(i, 4)), Vector128.Create(a.AsSpan(i, 4)), Vector128.Create(b.AsSpan(i, 4)));
            for (int l = 0; l < 16; l++)
            {
                float s = f.Invoke(c[i + l], a[i + l], b[i + l]);
                string what = $"Where({c[i + l]:R}, {a[i + l]:R}, {b[i + l]:R})";
                SameBits(s, v512[l], what + " Vector512");
                if (l < 8) SameBits(s, v256[l], what + " Vector256");
                if (l < 4) SameBits(s, v128[l], what + " Vector128");
                SameBits((float)WhereOp.Apply(c[i + l], a[i + l], b[i + l]), s, what);
            }
        }
    }

    [Fact]
    public void BiasAddAndBroadcast_NameAddAndIdentity()
    {
        Assert.Equal("Add", new BiasAddOp().Operator!.Name);
        Assert.Equal("Identity", new BroadcastToOp(new Shape(1)).Operator!.Name);
        Assert.Null(new SumOp(new[] { 0 }, false).Operator);
    }
}
