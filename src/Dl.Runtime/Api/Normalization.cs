namespace Dl;

/// <summary>
/// Batch normalisation over the channels of [N, C, H, W] input. In training (Evaluate,
/// ComputeGradients, TrainStep) it normalises with the batch's per-channel mean and variance and
/// updates the running averages <c>&lt;field&gt;.running_mean</c> and <c>&lt;field&gt;.running_var</c>
/// (new = (1 - momentum)·old + momentum·batch); in inference (Predict) it uses the running averages.
/// Then <c>y = gamma·x̂ + beta</c>, parameters <c>&lt;field&gt;.gamma</c> (ones) and <c>&lt;field&gt;.beta</c> (zeros).
/// </summary>
public sealed class BatchNorm2d
{
    /// <summary>Declares the layer as a field: <c>readonly BatchNorm2d norm = new(16);</c></summary>
    /// <param name="channels">Channels of the input (axis 1).</param>
    /// <param name="momentum">Weight of each batch in the running averages.</param>
    /// <param name="epsilon">Added to the variance before its square root.</param>
    public BatchNorm2d(int channels, float momentum = 0.1f, float epsilon = 1e-5f)
    {
        Channels = channels; Momentum = momentum; Epsilon = epsilon;
    }

    /// <summary>Channels of the input (axis 1).</summary>
    public int Channels { get; }

    /// <summary>Weight of each batch in the running averages.</summary>
    public float Momentum { get; }

    /// <summary>Added to the variance before its square root.</summary>
    public float Epsilon { get; }

    /// <summary>Applies the layer to <paramref name="x"/>; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="x">[N, <see cref="Channels"/>, H, W].</param>
    /// <returns>The same shape, normalised per channel.</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}

/// <summary>Batch normalisation of the features of [N, features] input; see <see cref="BatchNorm2d"/>.</summary>
public sealed class BatchNorm1d
{
    /// <summary>Declares the layer as a field: <c>readonly BatchNorm1d norm = new(128);</c></summary>
    /// <param name="features">Features of the input (its last axis).</param>
    /// <param name="momentum">Weight of each batch in the running averages.</param>
    /// <param name="epsilon">Added to the variance before its square root.</param>
    public BatchNorm1d(int features, float momentum = 0.1f, float epsilon = 1e-5f)
    {
        Features = features; Momentum = momentum; Epsilon = epsilon;
    }

    /// <summary>Features of the input.</summary>
    public int Features { get; }

    /// <summary>Weight of each batch in the running averages.</summary>
    public float Momentum { get; }

    /// <summary>Added to the variance before its square root.</summary>
    public float Epsilon { get; }

    /// <summary>Applies the layer to <paramref name="x"/>; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="x">[N, <see cref="Features"/>].</param>
    /// <returns>The same shape, normalised per feature.</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability <c>rate</c> and the rest
/// scaled by 1/(1 - rate), with a fresh mask every training step drawn from the model's seed; in
/// inference it passes its input through unchanged.
/// </summary>
public sealed class Dropout
{
    /// <summary>Declares the layer as a field: <c>readonly Dropout drop = new(0.5f);</c></summary>
    /// <param name="rate">Probability of zeroing an element in training, in [0, 1).</param>
    public Dropout(float rate) => Rate = rate;

    /// <summary>Probability of zeroing an element in training.</summary>
    public float Rate { get; }

    /// <summary>Applies the layer to <paramref name="x"/>; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The same shape.</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}
