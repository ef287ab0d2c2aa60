using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>
/// A character-model-like stack of stateful recurrent layers over windows of 3 steps: a two-layer
/// LSTM (hidden and cell states carried) then a GRU, the GRU's state at every step compared to a
/// target. Each call starts from the states the previous call left.
/// </summary>
[Model]
public partial class StatefulSequence
{
    readonly Lstm lstm = new(3, 4, layers: 2, stateful: true);
    readonly Gru gru = new(4, 5, stateful: true);

    public Tensor Forward([Input(3, 3)] Tensor x) => gru.Forward(lstm.Forward(x)); // [N,3,5]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>The same layers, not stateful, over a whole sequence of 6 steps (two of StatefulSequence's windows).</summary>
[Model]
public partial class WholeSequence
{
    readonly Lstm lstm = new(3, 4, layers: 2);
    readonly Gru gru = new(4, 5);

    public Tensor Forward([Input(6, 3)] Tensor x) => gru.Forward(lstm.Forward(x)); // [N,6,5]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
