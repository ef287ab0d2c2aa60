using Dl;

namespace Dl.Gpu.Tests.Models;

/// <summary>
/// A dense map applied to every step of a sequence at once ([N,5,6] x [6,4], then a bias and tanh): the
/// GEMM reads N·5 rows, and the weight's gradient is one transposed GEMM over all of them.
/// </summary>
[Model]
public partial class SequenceProjection
{
    readonly Param w = new(Init.Glorot, 6, 4);
    readonly Param b = new(Init.Zeros, 4);

    public Tensor Forward([Input(5, 6)] Tensor x) => Nn.BiasAdd(x.MatMul(w), b).Tanh();

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
