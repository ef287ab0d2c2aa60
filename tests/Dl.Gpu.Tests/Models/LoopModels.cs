using Dl;

namespace Dl.Gpu.Tests.Models;

/// <summary>
/// An LSTM over 5 steps of 3 features, a dense head on its final hidden state: one loop forward
/// (its input read along the inner time axis, so each step's slice is copied out) and one backward.
/// </summary>
[Model]
public partial class LstmHead
{
    readonly Lstm lstm = new(3, 4);
    readonly Dense head = new(4, 2);

    public Tensor Forward([Input(5, 3)] Tensor x) => head.Forward(lstm.FinalHidden(x).Flatten());

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>
/// A bidirectional GRU (a forward loop and a last-step-first one, their per-step outputs stacked
/// along the time axis and joined), averaged over time, then a dense head.
/// </summary>
[Model]
public partial class BiGruMean
{
    readonly Gru gru = new(3, 4, bidirectional: true);
    readonly Dense head = new(8, 2);

    public Tensor Forward([Input(5, 3)] Tensor x) => head.Forward(gru.Forward(x).Mean(1));

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>One shared layer applied 12 times (more than 8 steps: one loop whose only carry is x, no sequence).</summary>
[Model]
public partial class SharedLayerLoop
{
    readonly Dense cell = new(4, 4, Activation.Tanh);

    public Tensor Forward([Input(4)] Tensor x)
    {
        for (int i = 0; i < 12; i++) x = cell.Forward(x) * 0.5f + x;
        return x;
    }

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
