using Dl;

namespace Dl.Gpu.Tests.Models;

/// <summary>
/// A sequence [N,4,6] through Select (first and last steps), Stack, Concat along the last axis,
/// Slices on inner and negative axes and Reverse: the GPU's slice, concat and reverse kernels, forward
/// and (as their VJPs) backward, against the CPU backend and the reference evaluator.
/// </summary>
[Model]
public partial class SequenceLayout
{
    readonly Param w = new(Init.Glorot, 6, 3);

    public Tensor Forward([Input(4, 6)] Tensor x)
    {
        var first = x.Select(1, 0).MatMul(w);                       // [N,3]
        var last = x.Select(1, -1).MatMul(w);                       // [N,3]
        var stacked = Nn.Stack(1, first, last.Tanh(), first * last); // [N,3,3]
        var joined = Nn.Concat(-1, stacked, x.Slice(1, 1, 3).Slice(2, 0, 3)); // [N,3,6]
        return joined.Reverse(1).Slice(-1, 1, 4).Reverse(-1).Tanh(); // [N,3,4]
    }

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
