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
    public BatchNorm2d(int channels, float momentum = 0.1f, float epsilon = 1e-5f)
    {
        Channels = channels; Momentum = momentum; Epsilon = epsilon;
    }

    public int Channels { get; }
    public float Momentum { get; }
    public float Epsilon { get; }

    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}

/// <summary>Batch normalisation of the features of [N, features] input; see <see cref="BatchNorm2d"/>.</summary>
public sealed class BatchNorm1d
{
    public BatchNorm1d(int features, float momentum = 0.1f, float epsilon = 1e-5f)
    {
        Features = features; Momentum = momentum; Epsilon = epsilon;
    }

    public int Features { get; }
    public float Momentum { get; }
    public float Epsilon { get; }

    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability <c>rate</c> and the rest
/// scaled by 1/(1 - rate), with a fresh mask every training step drawn from the model's seed; in
/// inference it passes its input through unchanged.
/// </summary>
public sealed class Dropout
{
    public Dropout(float rate) => Rate = rate;

    public float Rate { get; }

    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}
