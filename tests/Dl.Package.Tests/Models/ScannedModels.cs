using Dl;

namespace Dl.Package.Tests.Models;

// Models compiled by the generator in this assembly so that ReflectionFreeTests can read their generated IL.

/// <summary>The README's classifier: dense layers, ReLU, softmax cross-entropy, SGD.</summary>
[Model]
public partial class ScanMlp
{
    readonly Dense hidden = new(784, 128, Activation.Relu);
    readonly Dense output = new(128, 10);

    public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>Elementwise fusion, broadcasting, reductions, layout ops and a second loss: most emitter paths.</summary>
[Model]
public partial class ScanZoo
{
    readonly Param w = new(Init.Glorot, 5, 4);
    readonly Param gain = new(Init.Ones, 4);
    readonly Dense gate = new(4, 4, Activation.Sigmoid);

    public Tensor Forward([Input(5, Gradient = true)] Tensor x)
    {
        var h = (x.MatMul(w) * gain).Tanh();
        var p = h.Softmax() + h.LogSoftmax().Exp() * 0.5f;
        var centred = p - p.Mean(1).Reshape(-1, 1);
        var g = gate.Forward(h);
        var mixed = centred / (1f + g) + Nn.Relu(h - 0.1f);
        return mixed.Transpose().Transpose() + (h * h + 1f).Log();
    }

    public Tensor Loss(Tensor y, Tensor target) =>
        Nn.BinaryCrossEntropy(y, target) + (y * y).Mean() * 0.01f + y.Sum(1).Mean() * 0.001f;
}
