using Dl;

namespace SequentialMnist;

/// <summary>The TorchSharp peer's <c>lstm</c> model: <c>LSTM(28, 128, batch_first)</c>, then <c>Linear(128, 10)</c> on the last step.</summary>
[Model]
public partial class Lstm1
{
    readonly Lstm rnn = new(28, 128);
    readonly Dense head = new(128, 10);

    public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Flatten());   // [N,1,128] -> [N,10]

    public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit);
}
