using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu.Kernels;

/// <summary>
/// The scalars of one optimizer update, computed on the host each step (learning rate from the
/// schedule, Adam's bias corrections) so the kernel needs no step counter on the device and the
/// host never waits for it. Each rule reads only the fields its kernel names. Public only because
/// ILGPU's CPU accelerator emits a task type that must see every kernel parameter's type.
/// </summary>
public struct UpdateArgs
{
    /// <summary>The step size: the learning rate, or Adam's lr / (1 - beta1^t).</summary>
    public float Rate;
    /// <summary>Coupled (L2) weight decay, added to the gradient: g' = g + L2·p.</summary>
    public float L2;
    /// <summary>Multiplies p before the update: SGD's 1 - lr·wd, AdamW's decoupled 1 - lr·wd; else 1.</summary>
    public float Decay;
    /// <summary>Momentum's mu, Adam's beta1.</summary>
    public float Beta1, OneMinusBeta1;
    /// <summary>Adam's beta2, RMSProp's rho (and 1 - rho), AdaGrad's 1 and 1 (a plain sum).</summary>
    public float Beta2, OneMinusBeta2;
    public float Epsilon;
    /// <summary>Adam's 1 / sqrt(1 - beta2^t).</summary>
    public float InverseRootC2;
    /// <summary>1: Nesterov's look-ahead step (an int: kernel parameters must be blittable).</summary>
    public int Nesterov;
}

/// <summary>
/// Optimizer updates, one fused pass over every parameter per rule (parameters, gradients and the
/// rule's state each read and written once), and the global-norm reduction for gradient clipping.
/// Each computes what the same-named loop of <c>Dl.Training.Optimizers</c> computes, in the same
/// order of float operations where it can. The gradient is multiplied by <c>scale[0]</c>: the clip
/// factor the norm kernels left on the device, or 1 when clipping is off, so no step waits for a norm.
/// </summary>
internal static class OptimizerKernels
{
    public const int GroupSize = 256;

    /// <summary>At most this many partial sums (one per group), so one group can add them up.</summary>
    public const int MaxNormGroups = GroupSize;

    /// <summary>p = Decay·p - Rate·g.</summary>
    public static void Sgd(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> scale, UpdateArgs a)
    {
        float grad = g[i] * scale[0];
        p[i] = p[i] * a.Decay - a.Rate * grad;
    }

    /// <summary>v = mu·v + g'; p -= Rate·v, or with Nesterov p -= Rate·(g' + mu·v).</summary>
    public static void Momentum(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> velocity, ArrayView<float> scale, UpdateArgs a)
    {
        float param = p[i];
        float grad = g[i] * scale[0] + a.L2 * param;
        float vel = a.Beta1 * velocity[i] + grad;
        velocity[i] = vel;
        p[i] = param - a.Rate * (a.Nesterov != 0 ? grad + a.Beta1 * vel : vel);
    }

    /// <summary>RMSProp and AdaGrad: s = Beta2·s + OneMinusBeta2·g'²; p -= Rate·g' / (sqrt(s) + eps).</summary>
    public static void Squares(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> squares, ArrayView<float> scale, UpdateArgs a)
    {
        float param = p[i];
        float grad = g[i] * scale[0] + a.L2 * param;
        float s = a.Beta2 * squares[i] + a.OneMinusBeta2 * grad * grad;
        squares[i] = s;
        p[i] = param - a.Rate * grad / (System.MathF.Sqrt(s) + a.Epsilon);
    }

    /// <summary>Adam and AdamW with the bias corrections folded into Rate and InverseRootC2.</summary>
    public static void Adam(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, ArrayView<float> scale, UpdateArgs a)
    {
        float param = p[i];
        float grad = g[i] * scale[0] + a.L2 * param;
        float mi = a.Beta1 * m[i] + a.OneMinusBeta1 * grad;
        float vi = a.Beta2 * v[i] + a.OneMinusBeta2 * grad * grad;
        m[i] = mi;
        v[i] = vi;
        p[i] = a.Decay * param - a.Rate * mi / (System.MathF.Sqrt(vi) * a.InverseRootC2 + a.Epsilon);
    }

    /// <summary>
    /// First half of the global norm: group b adds the squares of g[b·256 + t], striding by the whole
    /// grid, and writes its sum to partials[b]. Two stages rather than atomics: the sum is the same on
    /// every run, and no buffer has to be zeroed first.
    /// </summary>
    public static void SumSquares(ArrayView<float> g, ArrayView<float> partials, int length)
    {
        var shared = SharedMemory.Allocate<float>(GroupSize);
        int t = Group.IdxX, stride = Grid.DimX * GroupSize;
        float acc = 0f;
        for (int i = Grid.IdxX * GroupSize + t; i < length; i += stride)
        {
            float x = g[i];
            acc += x * x;
        }
        shared[t] = acc;
        Group.Barrier();
        for (int half = GroupSize / 2; half > 0; half /= 2)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        if (t == 0) partials[Grid.IdxX] = shared[0];
    }

    /// <summary>
    /// Second half, one group: norm = sqrt(Σ partials); scale[0] = maxNorm / norm when norm &gt; maxNorm,
    /// else 1 (the CPU's rule); scale[1] = norm, read back only when asked for.
    /// </summary>
    public static void ClipScale(ArrayView<float> partials, ArrayView<float> scale, int groups, float maxNorm)
    {
        var shared = SharedMemory.Allocate<float>(GroupSize);
        int t = Group.IdxX;
        shared[t] = t < groups ? partials[t] : 0f;
        Group.Barrier();
        for (int half = GroupSize / 2; half > 0; half /= 2)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        if (t == 0)
        {
            float norm = System.MathF.Sqrt(shared[0]);
            scale[0] = norm > maxNorm ? maxNorm / norm : 1f;
            scale[1] = norm;
        }
    }
}
