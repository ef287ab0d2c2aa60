namespace Dl;

public static partial class Nn
{
    /// <summary>Max over kernel x kernel windows of [N,C,H,W]; the stride defaults to the window. Its gradient goes to each window's maximum.</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0) => throw Tensor.Symbolic();

    /// <summary>Mean over kernel x kernel windows of [N,C,H,W] (padding counts as zeros); the stride defaults to the window.</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0) => throw Tensor.Symbolic();

    /// <summary>[N,C,H,W] -> [N,C]: the mean of each channel.</summary>
    public static Tensor GlobalAvgPool2d(Tensor x) => throw Tensor.Symbolic();

    /// <summary>Joins tensors along the channels (axis 1); the other axes must agree.</summary>
    public static Tensor Concat(params Tensor[] tensors) => throw Tensor.Symbolic();

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public static Tensor LeakyRelu(Tensor x, float slope = 0.01f) => throw Tensor.Symbolic();

    /// <summary>x for x &gt; 0, alpha·(exp(x) - 1) otherwise.</summary>
    public static Tensor Elu(Tensor x, float alpha = 1f) => throw Tensor.Symbolic();

    /// <summary>log(1 + exp(x)), computed without overflow.</summary>
    public static Tensor Softplus(Tensor x) => throw Tensor.Symbolic();

    /// <summary>SiLU (Swish): x · sigmoid(x), as PyTorch's <c>nn.SiLU</c>.</summary>
    public static Tensor Silu(Tensor x) => throw Tensor.Symbolic();

    /// <summary>GELU, tanh form (PyTorch's <c>gelu(x, approximate='tanh')</c>): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static Tensor GeluTanh(Tensor x) => throw Tensor.Symbolic();

    /// <summary>Hard sigmoid, PyTorch's definition: clamp(x/6 + 1/2, 0, 1).</summary>
    public static Tensor HardSigmoid(Tensor x) => throw Tensor.Symbolic();

    /// <summary>|x| elementwise.</summary>
    public static Tensor Abs(Tensor x) => throw Tensor.Symbolic();

    /// <summary>The L1 penalty Σ|t| (a scalar): add <c>λ · Nn.L1(w)</c> to a loss for sparse weights.</summary>
    public static Tensor L1(Tensor t) => throw Tensor.Symbolic();

    /// <summary>The L2 penalty Σt² (a scalar): add <c>λ · Nn.L2(w)</c> to a loss for weight decay.</summary>
    public static Tensor L2(Tensor t) => throw Tensor.Symbolic();
}

public partial class Tensor
{
    /// <summary>|x| elementwise.</summary>
    public Tensor Abs() => throw Symbolic();
    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public Tensor LeakyRelu(float slope = 0.01f) => throw Symbolic();
    /// <summary>x for x &gt; 0, alpha·(exp(x) - 1) otherwise.</summary>
    public Tensor Elu(float alpha = 1f) => throw Symbolic();
    /// <summary>log(1 + exp(x)).</summary>
    public Tensor Softplus() => throw Symbolic();
    /// <summary>SiLU (Swish): x · sigmoid(x).</summary>
    public Tensor Silu() => throw Symbolic();
    /// <summary>GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public Tensor GeluTanh() => throw Symbolic();
    /// <summary>Hard sigmoid, PyTorch's definition: clamp(x/6 + 1/2, 0, 1).</summary>
    public Tensor HardSigmoid() => throw Symbolic();
}
