using System;
using Dl.Training;

namespace Dl.Training.Tests.Optimization;

/// <summary>The rules the float code is checked against, by name, with fixed hyper-parameters.</summary>
internal static class ReferenceRule
{
    public const float Mu = 0.9f, Rho = 0.95f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-6f;

    public static readonly string[] Names = { "sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw" };

    public static int Slots(string rule) => rule switch { "sgd" => 0, "adam" or "adamw" => 2, _ => 1 };

    /// <summary>One reference step of <paramref name="rule"/>; hyper-parameters are the float constants widened exactly.</summary>
    public static void Step(string rule, double[] p, double[] g, double[][] state, double lr, double wd, long t)
    {
        switch (rule)
        {
            case "sgd": OptimizerReference.Sgd(p, g, lr, wd); break;
            case "momentum": OptimizerReference.Momentum(p, g, state[0], lr, Mu, false, wd); break;
            case "nesterov": OptimizerReference.Momentum(p, g, state[0], lr, Mu, true, wd); break;
            case "rmsprop": OptimizerReference.RmsProp(p, g, state[0], lr, Rho, Eps, wd); break;
            case "adagrad": OptimizerReference.AdaGrad(p, g, state[0], lr, Eps, wd); break;
            case "adam": OptimizerReference.Adam(p, g, state[0], state[1], lr, Beta1, Beta2, Eps, t, wd); break;
            case "adamw": OptimizerReference.AdamW(p, g, state[0], state[1], lr, Beta1, Beta2, Eps, t, wd); break;
            default: throw new ArgumentException(rule);
        }
    }

    /// <summary>The same step through the float span kernels of <see cref="Optimizers"/>.</summary>
    public static void FloatStep(string rule, float[] p, float[] g, float[][] state, float lr, float wd, long t)
    {
        switch (rule)
        {
            case "sgd": Optimizers.Sgd(p, g, lr, wd); break;
            case "momentum": Optimizers.Momentum(p, g, state[0], lr, Mu, false, wd); break;
            case "nesterov": Optimizers.Momentum(p, g, state[0], lr, Mu, true, wd); break;
            case "rmsprop": Optimizers.RmsProp(p, g, state[0], lr, Rho, Eps, wd); break;
            case "adagrad": Optimizers.AdaGrad(p, g, state[0], lr, Eps, wd); break;
            case "adam": Optimizers.Adam(p, g, state[0], state[1], lr, Beta1, Beta2, Eps, t, wd, decoupled: false); break;
            case "adamw": Optimizers.Adam(p, g, state[0], state[1], lr, Beta1, Beta2, Eps, t, wd, decoupled: true); break;
            default: throw new ArgumentException(rule);
        }
    }

    /// <summary>The optimizer object for <paramref name="rule"/>, configured like <see cref="Step"/>.</summary>
    public static Optimizer Create(string rule, float lr, float wd, float maxNorm) => rule switch
    {
        "sgd" => new Sgd(lr) { WeightDecay = wd, MaxGradientNorm = maxNorm },
        "momentum" => new Momentum(lr, Mu) { WeightDecay = wd, MaxGradientNorm = maxNorm },
        "nesterov" => new Momentum(lr, Mu, nesterov: true) { WeightDecay = wd, MaxGradientNorm = maxNorm },
        "rmsprop" => new RmsProp(lr, Rho, Eps) { WeightDecay = wd, MaxGradientNorm = maxNorm },
        "adagrad" => new AdaGrad(lr, Eps) { WeightDecay = wd, MaxGradientNorm = maxNorm },
        "adam" => new Adam(lr, Beta1, Beta2, Eps) { WeightDecay = wd, MaxGradientNorm = maxNorm },
        "adamw" => new AdamW(lr, Beta1, Beta2, Eps) { WeightDecay = wd, MaxGradientNorm = maxNorm },
        _ => throw new ArgumentException(rule),
    };

    /// <summary>
    /// Asserts float results agree with the reference to 1e-5 relative. Values much smaller than the
    /// array's largest are compared relative to a tenth of it: a momentum velocity that sums terms of
    /// size 1 into 0.002 carries float rounding of the terms, not of the result.
    /// </summary>
    public static void AssertClose(double[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * Math.Max(Math.Abs(expected[i]), 0.1 * scale);
            if (Math.Abs(expected[i] - actual[i]) > tolerance)
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3})");
        }
    }
}
