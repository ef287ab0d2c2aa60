using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>One 32 -> 8 dense layer: 256 weights and 8 biases (264 parameters) in an array padded to a multiple of 16 floats.</summary>
[Model]
public partial class Dense32To8
{
    readonly Dense layer = new(32, 8);

    public Tensor Forward([Input(32)] Tensor x) => layer.Forward(x);

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Our counterpart of torch's <c>nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2))</c>.</summary>
[Model]
public partial class TorchMlp
{
    readonly Dense first = new(3, 3, Activation.Relu);
    readonly Dense second = new(3, 2);

    public Tensor Forward([Input(3)] Tensor x) => second.Forward(first.Forward(x));

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Our counterpart of torch's <c>nn.Sequential(nn.Conv2d(1, 2, 2), nn.BatchNorm2d(2), nn.Flatten())</c> on 2x2 images.</summary>
[Model]
public partial class TorchConvBn
{
    readonly Conv2d conv = new(1, 2, 2);
    readonly BatchNorm2d norm = new(2);

    public Tensor Forward([Input(1, 2, 2)] Tensor image) => norm.Forward(conv.Forward(image)).Flatten();

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Our counterpart of torch's <c>nn.LSTM(input_size=2, hidden_size=2, batch_first=True)</c> over 2 steps, returning every step's h.</summary>
[Model]
public partial class TorchLstm
{
    readonly Lstm lstm = new(2, 2);

    public Tensor Forward([Input(2, 2)] Tensor steps) => lstm.Forward(steps).Flatten();   // [N,2,2] -> [N,4]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Our counterpart of torch's <c>nn.GRU(input_size=2, hidden_size=2, batch_first=True)</c> over 2 steps, returning every step's h.</summary>
[Model]
public partial class TorchGru
{
    readonly Gru gru = new(2, 2);

    public Tensor Forward([Input(2, 2)] Tensor steps) => gru.Forward(steps).Flatten();   // [N,2,2] -> [N,4]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Our counterpart of torch's <c>nn.LSTM(2, 3, num_layers=2, bidirectional=True)</c>: 16 tensors in its state dict.</summary>
[Model]
public partial class TorchBiLstm
{
    readonly Lstm lstm = new(2, 3, layers: 2, bidirectional: true);

    public Tensor Forward([Input(2, 2)] Tensor steps) => lstm.Forward(steps).Flatten();   // [N,2,6] -> [N,12]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}

/// <summary>Our counterpart of torch's <c>nn.RNN(input_size=2, hidden_size=2, batch_first=True)</c> (tanh) over 2 steps, returning every step's h.</summary>
[Model]
public partial class TorchRnn
{
    readonly Rnn rnn = new(2, 2);

    public Tensor Forward([Input(2, 2)] Tensor steps) => rnn.Forward(steps).Flatten();   // [N,2,2] -> [N,4]

    public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
}
