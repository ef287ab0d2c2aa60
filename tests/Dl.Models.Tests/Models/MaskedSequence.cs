using Dl;

namespace Dl.Models.Tests.Models;

// Also compiled into Dl.Gpu.Tests (linked from its .csproj), where the generator adds each model's Gpu class.

/// <summary>
/// Sequences [N,4,3] of different lengths: each step projected, the steps at or past a sample's
/// length masked out, the rest summed. The MSE loss sends a gradient to every step, so the mask's
/// VJP is what keeps the padding's steps from reaching the weight.
/// </summary>
[Model]
public partial class MaskedSequence
{
    readonly Param w = new(Init.Glorot, 3, 2);

    public Tensor Forward([Input(4, 3)] Tensor x, [Input] Labels lengths) =>
        Nn.SequenceMask(x.MatMul(w).Tanh(), lengths).Sum(1); // [N,2]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
