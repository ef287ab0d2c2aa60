using System;

namespace Dl.Training;

// The concrete rules: each is a constructor holding hyper-parameters and one call into Optimizers.
// Formulas and conventions are documented once, on OptimizerReference.

/// <summary>Plain stochastic gradient descent: <c>p -= lr * (g + wd * p)</c>. No state.</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the rule with its learning rate.</summary>
    public Sgd(float learningRate) : base(learningRate) { }

    /// <inheritdoc/>
    protected override void Apply(in UpdateRange range, float learningRate, long step) =>
        Optimizers.Sgd(range.Parameters, range.Gradients, learningRate, WeightDecay);
}

/// <summary>SGD with (optionally Nesterov) momentum; one slot, "velocity".</summary>
public sealed class Momentum : Optimizer
{
    /// <summary>Creates the rule; <paramref name="momentum"/> is the velocity's decay (0.9 is usual).</summary>
    public Momentum(float learningRate, float momentum = 0.9f, bool nesterov = false) : base(learningRate, "velocity")
    {
        Coefficient = momentum;
        Nesterov = nesterov;
    }

    /// <summary>The momentum coefficient mu in <c>v = mu * v + g</c>.</summary>
    public float Coefficient { get; }

    /// <summary>Whether the step looks ahead along the updated velocity.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Apply(in UpdateRange range, float learningRate, long step) =>
        Optimizers.Momentum(range.Parameters, range.Gradients, range.Slot(0), learningRate, Coefficient, Nesterov, WeightDecay);
}

/// <summary>RMSProp; one slot, "mean_square".</summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates the rule; defaults are PyTorch's.</summary>
    public RmsProp(float learningRate, float rho = 0.99f, float epsilon = 1e-8f) : base(learningRate, "mean_square")
    {
        Rho = rho;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the running mean of squared gradients.</summary>
    public float Rho { get; }

    /// <summary>Added to the root mean square before dividing.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Apply(in UpdateRange range, float learningRate, long step) =>
        Optimizers.RmsProp(range.Parameters, range.Gradients, range.Slot(0), learningRate, Rho, Epsilon, WeightDecay);
}

/// <summary>AdaGrad; one slot, "sum_squares".</summary>
public sealed class AdaGrad : Optimizer
{
    /// <summary>Creates the rule; the default epsilon is PyTorch's.</summary>
    public AdaGrad(float learningRate, float epsilon = 1e-10f) : base(learningRate, "sum_squares") => Epsilon = epsilon;

    /// <summary>Added to the root of the accumulated squares before dividing.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Apply(in UpdateRange range, float learningRate, long step) =>
        Optimizers.AdaGrad(range.Parameters, range.Gradients, range.Slot(0), learningRate, Epsilon, WeightDecay);
}

/// <summary>Adam with bias correction; <see cref="Optimizer.WeightDecay"/> is L2 (added to the gradient). Slots "m" and "v".</summary>
public class Adam : Optimizer
{
    /// <summary>Creates the rule; defaults are the paper's.</summary>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : base(learningRate, "m", "v")
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the first moment (mean of gradients).</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment (mean of squared gradients).</summary>
    public float Beta2 { get; }

    /// <summary>Added to the root of the bias-corrected second moment.</summary>
    public float Epsilon { get; }

    /// <summary>Whether weight decay is decoupled from the gradient (AdamW) rather than L2.</summary>
    protected virtual bool Decoupled => false;

    /// <inheritdoc/>
    protected override void Apply(in UpdateRange range, float learningRate, long step) =>
        Optimizers.Adam(range.Parameters, range.Gradients, range.Slot(0), range.Slot(1), learningRate, Beta1, Beta2, Epsilon, step, WeightDecay, Decoupled);
}

/// <summary>AdamW: Adam with decoupled weight decay (<c>p -= lr * wd * p</c>, then the Adam step on the raw gradient).</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the rule; set <see cref="Optimizer.WeightDecay"/> (0.01 is usual).</summary>
    public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : base(learningRate, beta1, beta2, epsilon) { }

    /// <inheritdoc/>
    protected override bool Decoupled => true;
}
