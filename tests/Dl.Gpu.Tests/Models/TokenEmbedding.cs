using Dl;

namespace Dl.Gpu.Tests.Models;

/// <summary>
/// Integer tokens [N,5] through an Embedding (7 rows of 3), its last step and its mean over the
/// steps: the GPU's gather kernel forward and its atomic scatter-add for the table's gradient
/// (tokens repeat), against the CPU backend and the reference evaluator.
/// </summary>
[Model]
public partial class TokenEmbedding
{
    readonly Embedding embed = new(7, 3);
    readonly Param w = new(Init.Glorot, 3, 2);

    public Tensor Forward([Input(5)] Labels tokens)
    {
        var e = embed.Forward(tokens);                  // [N,5,3]
        return (e.Select(1, -1) + e.Mean(1)).Tanh().MatMul(w); // [N,2]
    }

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
