using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Dl.Training;

/// <summary>
/// Optimizer updates over whole parameter arrays in single precision: one fused pass per rule, SIMD, no
/// allocation. Each computes what the same-named method of <see cref="OptimizerReference"/> computes (see
/// there for the exact formulas and conventions), up to float rounding.
/// </summary>
/// <remarks>
/// Each rule reads and writes every array once. At the sizes of a training step the update is bound by
/// memory traffic, so a fused loop beats a chain of <see cref="TensorPrimitives"/> calls that would each
/// sweep the arrays again; those are used where a rule is a single primitive.
/// </remarks>
public static class Optimizers
{
    /// <summary>Gradient descent: <c>p -= lr * (g + wd * p)</c>.</summary>
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, float lr, float weightDecay = 0)
    {
        CheckLengths(p, g, p.Length);
        if (weightDecay != 0) TensorPrimitives.Multiply(p, 1 - lr * weightDecay, p);
        TensorPrimitives.MultiplyAdd(g, -lr, p, p);
    }

    /// <summary>Momentum, optionally Nesterov: <c>v = mu v + g'</c>; <c>p -= lr v</c> or <c>p -= lr (g' + mu v)</c>; <c>g' = g + wd p</c>.</summary>
    public static void Momentum(Span<float> p, ReadOnlySpan<float> g, Span<float> velocity, float lr, float momentum, bool nesterov = false, float weightDecay = 0)
    {
        CheckLengths(p, g, velocity.Length);
        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(velocity);
        var lrV = new Vector<float>(lr);
        var muV = new Vector<float>(momentum);
        var wdV = new Vector<float>(weightDecay);
        for (int i = 0; i < pv.Length; i++)
        {
            var grad = gv[i] + wdV * pv[i];
            var vel = muV * vv[i] + grad;
            vv[i] = vel;
            pv[i] -= lrV * (nesterov ? grad + muV * vel : vel);
        }
        for (int i = pv.Length * Vector<float>.Count; i < p.Length; i++)
        {
            float grad = g[i] + weightDecay * p[i];
            float vel = momentum * velocity[i] + grad;
            velocity[i] = vel;
            p[i] -= lr * (nesterov ? grad + momentum * vel : vel);
        }
    }

    /// <summary>RMSProp: <c>s = rho s + (1 - rho) g'^2</c>; <c>p -= lr g' / (sqrt(s) + eps)</c>.</summary>
    public static void RmsProp(Span<float> p, ReadOnlySpan<float> g, Span<float> meanSquare, float lr, float rho = 0.99f, float eps = 1e-8f, float weightDecay = 0)
    {
        CheckLengths(p, g, meanSquare.Length);
        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var sv = MemoryMarshal.Cast<float, Vector<float>>(meanSquare);
        var lrV = new Vector<float>(lr);
        var rhoV = new Vector<float>(rho);
        var oneMinusRhoV = new Vector<float>(1 - rho);
        var epsV = new Vector<float>(eps);
        var wdV = new Vector<float>(weightDecay);
        for (int i = 0; i < pv.Length; i++)
        {
            var grad = gv[i] + wdV * pv[i];
            var s = rhoV * sv[i] + oneMinusRhoV * grad * grad;
            sv[i] = s;
            pv[i] -= lrV * grad / (Vector.SquareRoot(s) + epsV);
        }
        for (int i = pv.Length * Vector<float>.Count; i < p.Length; i++)
        {
            float grad = g[i] + weightDecay * p[i];
            float s = rho * meanSquare[i] + (1 - rho) * grad * grad;
            meanSquare[i] = s;
            p[i] -= lr * grad / (MathF.Sqrt(s) + eps);
        }
    }

    /// <summary>AdaGrad: <c>sum += g'^2</c>; <c>p -= lr g' / (sqrt(sum) + eps)</c>.</summary>
    public static void AdaGrad(Span<float> p, ReadOnlySpan<float> g, Span<float> sumSquares, float lr, float eps = 1e-10f, float weightDecay = 0)
    {
        CheckLengths(p, g, sumSquares.Length);
        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var sv = MemoryMarshal.Cast<float, Vector<float>>(sumSquares);
        var lrV = new Vector<float>(lr);
        var epsV = new Vector<float>(eps);
        var wdV = new Vector<float>(weightDecay);
        for (int i = 0; i < pv.Length; i++)
        {
            var grad = gv[i] + wdV * pv[i];
            var s = sv[i] + grad * grad;
            sv[i] = s;
            pv[i] -= lrV * grad / (Vector.SquareRoot(s) + epsV);
        }
        for (int i = pv.Length * Vector<float>.Count; i < p.Length; i++)
        {
            float grad = g[i] + weightDecay * p[i];
            float s = sumSquares[i] + grad * grad;
            sumSquares[i] = s;
            p[i] -= lr * grad / (MathF.Sqrt(s) + eps);
        }
    }

    /// <summary>
    /// Adam with bias correction at <paramref name="step"/> (from 1). <paramref name="decoupled"/> selects
    /// AdamW's decay (<c>p -= lr wd p</c> before the update) instead of L2 decay added to the gradient.
    /// </summary>
    public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr, float beta1, float beta2, float eps,
        long step, float weightDecay = 0, bool decoupled = false)
    {
        CheckLengths(p, g, m.Length);
        CheckLengths(p, g, v.Length);
        var (stepSize, inverseRootC2) = AdamScalars(lr, beta1, beta2, step);   // refuses step < 1
        float decay = decoupled ? 1 - lr * weightDecay : 1;
        float l2 = decoupled ? 0 : weightDecay;

        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        var b1 = new Vector<float>(beta1);
        var oneMinusB1 = new Vector<float>(1 - beta1);
        var b2 = new Vector<float>(beta2);
        var oneMinusB2 = new Vector<float>(1 - beta2);
        var stepV = new Vector<float>(stepSize);
        var rootV = new Vector<float>(inverseRootC2);
        var epsV = new Vector<float>(eps);
        var decayV = new Vector<float>(decay);
        var l2V = new Vector<float>(l2);
        for (int i = 0; i < pv.Length; i++)
        {
            var param = pv[i];
            var grad = gv[i] + l2V * param;
            var mi = b1 * mv[i] + oneMinusB1 * grad;
            var vi = b2 * vv[i] + oneMinusB2 * grad * grad;
            mv[i] = mi;
            vv[i] = vi;
            pv[i] = decayV * param - stepV * mi / (Vector.SquareRoot(vi) * rootV + epsV);
        }
        for (int i = pv.Length * Vector<float>.Count; i < p.Length; i++)
        {
            float param = p[i];
            float grad = g[i] + l2 * param;
            float mi = beta1 * m[i] + (1 - beta1) * grad;
            float vi = beta2 * v[i] + (1 - beta2) * grad * grad;
            m[i] = mi;
            v[i] = vi;
            p[i] = decay * param - stepSize * mi / (MathF.Sqrt(vi) * inverseRootC2 + eps);
        }
    }

    /// <summary>
    /// Adam's bias corrections at <paramref name="step"/> (from 1) folded into two scalars:
    /// m_hat / (sqrt(v_hat) + eps) is rewritten as (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps), the same
    /// number. Shared with the GPU backend, whose kernel takes them as arguments, so both round alike.
    /// </summary>
    public static (float StepSize, float InverseRootC2) AdamScalars(float lr, float beta1, float beta2, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        // In double: beta^t underflows gracefully and 1 - beta2^t is tiny early on.
        return ((float)(lr / (1 - Math.Pow(beta1, step))), (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, step))));
    }

    /// <summary>
    /// Scales <paramref name="g"/> in place so its Euclidean norm is at most <paramref name="maxNorm"/>
    /// (<c>g *= maxNorm / norm</c> when <c>norm &gt; maxNorm</c>). Returns the norm before clipping.
    /// </summary>
    public static float ClipByGlobalNorm(Span<float> g, float maxNorm)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        float norm = TensorPrimitives.Norm(g);
        if (norm > maxNorm) TensorPrimitives.Multiply(g, maxNorm / norm, g);
        return norm;
    }

    private static void CheckLengths(Span<float> p, ReadOnlySpan<float> g, int stateLength)
    {
        if (g.Length != p.Length || stateLength != p.Length)
            throw new ArgumentException($"spans differ in length: {p.Length} parameters, {g.Length} gradients, {stateLength} state values");
    }
}
