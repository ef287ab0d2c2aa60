using System;

namespace Dl.Training;

/// <summary>
/// The meaning of every optimizer update, written as plain double-precision loops, one element at a time.
/// Fast kernels (<see cref="Optimizers"/>, the generator's fused optimizer steps) are tested against these.
/// </summary>
/// <remarks>
/// Conventions follow PyTorch's <c>torch.optim</c> so results can be compared with it:
/// <list type="bullet">
/// <item>L2 weight decay ("coupled") adds <c>wd * p</c> to the gradient before the rule sees it;
/// AdamW's decay is "decoupled": <c>p -= lr * wd * p</c> before the Adam update, the gradient untouched.</item>
/// <item>Momentum keeps <c>v = mu * v + g</c> (no dampening) and steps <c>p -= lr * v</c>;
/// Nesterov steps <c>p -= lr * (g + mu * v)</c> with the updated <c>v</c>.</item>
/// <item>Adam's <c>step</c> arguments count from 1 (the first update is step 1).</item>
/// <item>eps is added to the square root of the (bias-corrected) second moment, not inside the root.</item>
/// </list>
/// Each method updates <c>p</c> and its state arrays in place and leaves <c>g</c> unchanged.
/// </remarks>
public static class OptimizerReference
{
    /// <summary>Plain gradient descent: <c>p -= lr * (g + wd * p)</c>.</summary>
    public static void Sgd(double[] p, double[] g, double lr, double weightDecay = 0)
    {
        CheckLengths(p, g);
        for (int i = 0; i < p.Length; i++)
            p[i] -= lr * WithL2(g[i], p[i], weightDecay);
    }

    /// <summary>
    /// Heavy-ball momentum: <c>v = mu * v + g'</c>, then <c>p -= lr * v</c>, or with Nesterov
    /// <c>p -= lr * (g' + mu * v)</c>; <c>g' = g + wd * p</c>. <paramref name="velocity"/> starts at zero.
    /// </summary>
    public static void Momentum(double[] p, double[] g, double[] velocity, double lr, double momentum, bool nesterov = false, double weightDecay = 0)
    {
        CheckLengths(p, g, velocity);
        for (int i = 0; i < p.Length; i++)
        {
            double grad = WithL2(g[i], p[i], weightDecay);
            velocity[i] = momentum * velocity[i] + grad;
            double direction = nesterov ? grad + momentum * velocity[i] : velocity[i];
            p[i] -= lr * direction;
        }
    }

    /// <summary>
    /// RMSProp: <c>s = rho * s + (1 - rho) * g'^2</c>, <c>p -= lr * g' / (sqrt(s) + eps)</c>;
    /// <paramref name="meanSquare"/> starts at zero.
    /// </summary>
    public static void RmsProp(double[] p, double[] g, double[] meanSquare, double lr, double rho = 0.99, double eps = 1e-8, double weightDecay = 0)
    {
        CheckLengths(p, g, meanSquare);
        for (int i = 0; i < p.Length; i++)
        {
            double grad = WithL2(g[i], p[i], weightDecay);
            meanSquare[i] = rho * meanSquare[i] + (1 - rho) * grad * grad;
            p[i] -= lr * grad / (Math.Sqrt(meanSquare[i]) + eps);
        }
    }

    /// <summary>AdaGrad: <c>sum += g'^2</c>, <c>p -= lr * g' / (sqrt(sum) + eps)</c>; <paramref name="sumSquares"/> starts at zero.</summary>
    public static void AdaGrad(double[] p, double[] g, double[] sumSquares, double lr, double eps = 1e-10, double weightDecay = 0)
    {
        CheckLengths(p, g, sumSquares);
        for (int i = 0; i < p.Length; i++)
        {
            double grad = WithL2(g[i], p[i], weightDecay);
            sumSquares[i] += grad * grad;
            p[i] -= lr * grad / (Math.Sqrt(sumSquares[i]) + eps);
        }
    }

    /// <summary>
    /// Adam with bias correction and coupled L2 decay: <c>m = b1 m + (1-b1) g'</c>, <c>v = b2 v + (1-b2) g'^2</c>,
    /// <c>p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)</c>, t = <paramref name="step"/> (from 1).
    /// </summary>
    public static void Adam(double[] p, double[] g, double[] m, double[] v, double lr, double beta1, double beta2, double eps, long step, double weightDecay = 0)
    {
        CheckLengths(p, g, m, v);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
        for (int i = 0; i < p.Length; i++)
        {
            double grad = WithL2(g[i], p[i], weightDecay);
            m[i] = beta1 * m[i] + (1 - beta1) * grad;
            v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
            double mHat = m[i] / correction1, vHat = v[i] / correction2;
            p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
        }
    }

    /// <summary>
    /// AdamW (Loshchilov and Hutter): first <c>p -= lr * wd * p</c>, then the Adam update with the raw
    /// gradient. Decay is scaled by the learning rate, as in PyTorch.
    /// </summary>
    public static void AdamW(double[] p, double[] g, double[] m, double[] v, double lr, double beta1, double beta2, double eps, long step, double weightDecay)
    {
        CheckLengths(p, g, m, v);
        for (int i = 0; i < p.Length; i++) p[i] -= lr * weightDecay * p[i];
        Adam(p, g, m, v, lr, beta1, beta2, eps, step, weightDecay: 0);
    }

    /// <summary>L2 weight decay on its own: <c>g += wd * p</c>, the gradient of <c>wd/2 * |p|^2</c> added in place.</summary>
    public static void AddL2(double[] g, double[] p, double weightDecay)
    {
        CheckLengths(p, g);
        for (int i = 0; i < g.Length; i++) g[i] += weightDecay * p[i];
    }

    /// <summary>
    /// Scales <paramref name="g"/> in place so its Euclidean norm is at most <paramref name="maxNorm"/>:
    /// <c>g *= maxNorm / max(norm, maxNorm)</c>. Returns the norm before clipping.
    /// </summary>
    public static double ClipByGlobalNorm(double[] g, double maxNorm)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        double sum = 0;
        foreach (double x in g) sum += x * x;
        double norm = Math.Sqrt(sum);
        if (norm > maxNorm)
            for (int i = 0; i < g.Length; i++) g[i] *= maxNorm / norm;
        return norm;
    }

    private static double WithL2(double g, double p, double weightDecay) => g + weightDecay * p;

    private static void CheckLengths(double[] p, params double[][] others)
    {
        foreach (var a in others)
            if (a.Length != p.Length)
                throw new ArgumentException($"arrays differ in length: {p.Length} parameters, {a.Length} values");
    }
}
