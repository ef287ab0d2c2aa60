using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>An LSTM wide enough that its products take the blocked GEMM's tiles (64 hidden, 256 gate columns), every step's h out (many-to-many).</summary>
[Model]
public partial class WideLstm
{
    readonly Lstm lstm = new(8, 64);

    public Tensor Forward([Input(6, 8)] Tensor steps) => lstm.Forward(steps).Flatten();   // [N,6,64] -> [N,384]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Two stacked GRU layers of 48 and a dense head on the last hidden state (many-to-one).</summary>
[Model]
public partial class WideGru
{
    readonly Gru gru = new(5, 48, layers: 2);
    readonly Dense head = new(48, 3);

    public Tensor Forward([Input(7, 5)] Tensor steps) => head.Forward(gru.Forward(steps).Select(1, 6));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>A cell whose step subtracts the batch's mean hidden state: row i depends on every row, so its loop must not be cut by rows.</summary>
[Layer]
public partial class BatchMixingCell(int inputs, int hidden)
{
    readonly Param w = new(Init.Glorot, inputs, hidden);
    readonly Param u = new(Init.Glorot, hidden, hidden);

    public Tensor Step(Tensor x, Tensor h) => (x.MatMul(w) + h.MatMul(u) - h.Mean(0)).Tanh();
}

/// <summary>A loop over <see cref="BatchMixingCell"/>: not row-local.</summary>
[Model]
public partial class BatchMixingSequence
{
    readonly Dense start = new(3, 16);
    readonly BatchMixingCell cell = new(3, 16);
    readonly Dense head = new(16, 2);

    public Tensor Forward([Input(12, 3)] Tensor x)
    {
        var h = start.Forward(x.Select(1, 0)).Tanh();
        for (int t = 0; t < 12; t++) h = cell.Step(x.Select(1, t), h);
        return head.Forward(h);
    }

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>A cell with dropout in its step: the masks' stream must not depend on how the batch is cut.</summary>
[Layer]
public partial class DropoutCell(int inputs, int hidden)
{
    readonly Param w = new(Init.Glorot, inputs, hidden);
    readonly Param u = new(Init.Glorot, hidden, hidden);
    readonly Dropout drop = new(0.25f);

    public Tensor Step(Tensor x, Tensor h) => drop.Forward((x.MatMul(w) + h.MatMul(u)).Tanh());
}

/// <summary>A loop over <see cref="DropoutCell"/>: draws random numbers in its body.</summary>
[Model]
public partial class DropoutSequence
{
    readonly Dense start = new(3, 16);
    readonly DropoutCell cell = new(3, 16);
    readonly Dense head = new(16, 2);

    public Tensor Forward([Input(12, 3)] Tensor x)
    {
        var h = start.Forward(x.Select(1, 0)).Tanh();
        for (int t = 0; t < 12; t++) h = cell.Step(x.Select(1, t), h);
        return head.Forward(h);
    }

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
