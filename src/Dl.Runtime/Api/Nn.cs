namespace Dl;

/// <summary>Ops as functions, for forward and loss code that reads like the math.</summary>
public static partial class Nn
{
    public static Tensor Relu(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Sigmoid(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Tanh(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Exp(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Log(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Softmax(Tensor x) => throw Tensor.Symbolic();
    public static Tensor LogSoftmax(Tensor x) => throw Tensor.Symbolic();
    public static Tensor MatMul(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>Adds a vector along the last axis: [..., C] + [C].</summary>
    public static Tensor BiasAdd(Tensor x, Tensor bias) => throw Tensor.Symbolic();

    /// <summary>Mean categorical cross-entropy of logits [N,C] against class labels [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Labels labels) => throw Tensor.Symbolic();

    /// <summary>Mean binary cross-entropy of logits against targets in [0,1] of the same shape.</summary>
    public static Tensor BinaryCrossEntropy(Tensor logits, Tensor targets) => throw Tensor.Symbolic();

    /// <summary>Mean squared error.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target) => throw Tensor.Symbolic();
}
