using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>Two stacked bidirectional LSTM layers, then a GRU, then a dense head on the GRU's last hidden state: every kind of loop the recurrent layers make.</summary>
[Model]
public partial class SequenceNet
{
    readonly Lstm lstm = new(6, 8, layers: 2, bidirectional: true);
    readonly Gru gru = new(16, 5);
    readonly Dense head = new(5, 3);

    public Tensor Forward([Input(9, 6)] Tensor steps) => head.Forward(gru.FinalHidden(lstm.Forward(steps)).Flatten());

    public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
}
