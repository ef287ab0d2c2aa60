using Dl;

namespace Dl.Onnx.Tests.Models;

/// <summary>The MNIST MLP of the README and samples/Mnist: 784-128-10.</summary>
[Model]
public partial class MnistMlp
{
    readonly Dense hidden = new(784, 128, Activation.Relu);
    readonly Dense output = new(128, 10);

    public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>
/// Every activation and pooling op a model can write, and the elementwise ops around them (comparisons and
/// Where, Maximum/Minimum, Pow, Sqrt, Clamp, Concat, means), so each has its ONNX mapping checked by ONNX Runtime.
/// </summary>
[Model]
public partial class ActivationZoo
{
    readonly Conv2d conv = new(2, 4, 3, padding: 1, activation: Activation.Tanh);
    readonly Conv2d strided = new(4, 4, 3, stride: 2, padding: 1, activation: Activation.Sigmoid);
    readonly Dense head = new(4 * 4 * 4 + 4 + 4, 6, Activation.Relu);

    public Tensor Forward([Input(2, 8, 8)] Tensor x)
    {
        var h = conv.Forward(x);                                                       // [N,4,8,8]
        var a = Nn.LeakyRelu(h, 0.1f) + Nn.Elu(h, 0.7f) + Nn.Softplus(h) + Nn.Silu(h);
        var b = Nn.Gelu(h) + Nn.GeluTanh(h) + Nn.HardSigmoid(h * 4f) + Nn.Abs(h) + h.Clamp(-0.3f, 0.4f);
        var c = Nn.Maximum(a, b) - Nn.Minimum(a, b) * 0.5f + (Nn.Abs(b) + 1f).Sqrt() + (Nn.Abs(a) + 0.5f).Pow(1.5f);
        var mask = Nn.Where(Nn.Greater(a, b), a, b) + Nn.Less(a, b) + Nn.GreaterEqual(a, 0.1f * b) + Nn.LessEqual(b, a) + Nn.Equal(a, a);
        var d = Nn.Relu(c + mask).Log() + Nn.Exp(-Nn.Abs(c));
        var maxed = Nn.MaxPool2d(d, 3, 2, 1);                                          // [N,4,4,4]
        var avg = Nn.AvgPool2d(d, 2);                                                  // [N,4,4,4]
        var pooled = strided.Forward(maxed + avg);                                     // [N,4,2,2]
        var global = Nn.GlobalAvgPool2d(pooled);                                       // [N,4]
        var flat = Nn.Concat(Nn.AvgPool2d(d, 3, 2, 1).Flatten(), global, global.Softmax());
        var y = head.Forward(flat);
        return y.LogSoftmax() + y.Softmax() + y.Mean(1).Reshape(-1, 1);
    }

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}

/// <summary>An LSTM over 28 steps of 28 values (samples/SequentialMnist's Lstm1 with 16 hidden units): its loop node exports as ONNX Scan.</summary>
[Model]
public partial class LstmModel
{
    readonly Lstm rnn = new(28, 16);
    readonly Dense head = new(16, 10);

    public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Flatten());

    public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit);
}
