namespace Dl;

/// <summary>
/// Ops as functions, for forward and loss code that reads like the math. Like <see cref="Tensor"/>, these are
/// read by the generator at build time; calling one at run time throws <see cref="System.NotSupportedException"/>.
/// </summary>
public static partial class Nn
{
    /// <summary>max(x, 0), elementwise.</summary>
    /// <param name="x">Any shape; the result has the same.</param>
    public static Tensor Relu(Tensor x) => throw Tensor.Symbolic();

    /// <summary>1 / (1 + exp(-x)), elementwise.</summary>
    /// <param name="x">Any shape; the result has the same.</param>
    public static Tensor Sigmoid(Tensor x) => throw Tensor.Symbolic();

    /// <summary>tanh(x), elementwise.</summary>
    /// <param name="x">Any shape; the result has the same.</param>
    public static Tensor Tanh(Tensor x) => throw Tensor.Symbolic();

    /// <summary>e^x, elementwise.</summary>
    /// <param name="x">Any shape; the result has the same.</param>
    public static Tensor Exp(Tensor x) => throw Tensor.Symbolic();

    /// <summary>The natural logarithm ln(x), elementwise.</summary>
    /// <param name="x">Any shape; the result has the same.</param>
    public static Tensor Log(Tensor x) => throw Tensor.Symbolic();

    /// <summary>Softmax over the last axis: exp(x - max) / Σ exp(x - max), each row summing to 1.</summary>
    /// <param name="x">Rank 1 or more; the result has the same shape.</param>
    public static Tensor Softmax(Tensor x) => throw Tensor.Symbolic();

    /// <summary>Log-softmax over the last axis, x - max - log Σ exp(x - max), computed without overflow.</summary>
    /// <param name="x">Rank 1 or more; the result has the same shape.</param>
    public static Tensor LogSoftmax(Tensor x) => throw Tensor.Symbolic();

    /// <summary>Matrix product [M,K] x [K,N] -> [M,N].</summary>
    /// <param name="a">The left matrix, [M,K].</param>
    /// <param name="b">The right matrix, [K,N].</param>
    public static Tensor MatMul(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>Adds a vector along the last axis: [..., C] + [C].</summary>
    public static Tensor BiasAdd(Tensor x, Tensor bias) => throw Tensor.Symbolic();

    /// <summary>Mean categorical cross-entropy of logits [N,C] against class labels [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Labels labels) => throw Tensor.Symbolic();

    /// <summary>Mean binary cross-entropy of logits against targets in [0,1] of the same shape.</summary>
    public static Tensor BinaryCrossEntropy(Tensor logits, Tensor targets) => throw Tensor.Symbolic();

    /// <summary>
    /// Standard normal samples N(0, 1) of <paramref name="like"/>'s shape (its values are not read), for a VAE's
    /// reparameterisation <c>z = mu + Nn.Exp(0.5f * logVar) * Nn.RandomNormal(mu)</c>. While training (TrainStep,
    /// ComputeGradients) they are fixed per training step exactly like dropout masks: a function of the model's
    /// seed (InitializeParameters), <paramref name="stream"/>, the number of steps taken and the element's index
    /// (Box-Muller on two 32-bit uniforms from dropout's counter-based hash; Dl.Graph's RandomNormalOp gives the
    /// formula), so a run replays bit for bit. In inference (Predict) the result is zeros, as dropout is the
    /// identity there: z becomes mu and predictions are deterministic. No gradient flows through it.
    /// </summary>
    /// <param name="like">A float tensor whose shape the samples take.</param>
    /// <param name="stream">Tells samplers apart: two calls with the same stream and shape give the same samples.</param>
    public static Tensor RandomNormal(Tensor like, int stream = 0) => throw Tensor.Symbolic();

    /// <summary>
    /// KL divergence of the diagonal Gaussian N(mu, exp(logVar)) from the standard normal N(0, 1), a VAE's
    /// regulariser: -½·Σ(1 + logVar - mu² - exp(logVar)), summed over the features (every axis but the batch) and
    /// averaged over the batch, the convention of PyTorch's VAE example divided by the batch size. Its gradient is
    /// mu/N to mu and ½·(exp(logVar) - 1)/N to logVar.
    /// </summary>
    /// <param name="mu">The means, [N, ...].</param>
    /// <param name="logVar">The log-variances, the shape of <paramref name="mu"/>.</param>
    public static Tensor KlDivergence(Tensor mu, Tensor logVar) => throw Tensor.Symbolic();

    /// <summary>Mean squared error.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target) => throw Tensor.Symbolic();
}
