using Dl;

namespace Dl.Models.Tests.Models;

// Also compiled into Dl.Gpu.Tests (linked from its .csproj), where the generator adds each model's Gpu class.

/// <summary>
/// Exercises the elementwise fuser, broadcasting, reductions and layout ops: every op of the
/// catalogue that a dense model can reach, so compiled code is compared with the evaluator on all.
/// </summary>
[Model]
public partial class OpZoo
{
    readonly Param w = new(Init.Glorot, 5, 4);
    readonly Param gain = new(Init.Ones, 4);
    readonly Dense gate = new(4, 4, Activation.Sigmoid);

    public Tensor Forward([Input(5)] Tensor x)
    {
        var h = (x.MatMul(w) * gain).Tanh();                       // [N,4], row-broadcast
        var p = h.Softmax() + h.LogSoftmax().Exp() * 0.5f;          // two softmax forms
        var centred = p - p.Mean(1).Reshape(-1, 1);                 // column broadcast
        var g = gate.Forward(h);
        var mixed = centred / (1f + g) + Nn.Relu(h - 0.1f);         // div, constants, relu
        return mixed.Transpose().Transpose() + (h * h + 1f).Log();  // layout round trip, log
    }

    public Tensor Loss(Tensor y, Tensor target) =>
        Nn.BinaryCrossEntropy(y, target) + (y * y).Mean() * 0.01f + y.Sum(1).Mean() * 0.001f;
}
