using Dl;

namespace SequentialMnist;

// The 28 rows of a digit read as 28 time steps of 28 pixels; a recurrent layer, then a dense head on the final
// hidden state of the last layer (both directions side by side when bidirectional). Layer arguments are
// compile-time constants, so each setting of --cell, --layers and --bidirectional is a model of its own:
// the generator checks every shape and compiles each to its own straight C# (one loop per layer and direction).

// The TorchSharp peer's model is Lstm1 (Lstm1.cs, which the benchmarks compile in). The other settings, one
// line each. Two layers: FinalHidden is [N, 2·D, H] layer-major; the head reads the top layer's.
[Model] public partial class Lstm1Bi { readonly Lstm rnn = new(28, 128, bidirectional: true); readonly Dense head = new(256, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Lstm2 { readonly Lstm rnn = new(28, 128, layers: 2); readonly Dense head = new(128, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Slice(1, 1, 1).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Lstm2Bi { readonly Lstm rnn = new(28, 128, layers: 2, bidirectional: true); readonly Dense head = new(256, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Slice(1, 2, 2).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Gru1 { readonly Gru rnn = new(28, 128); readonly Dense head = new(128, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Gru1Bi { readonly Gru rnn = new(28, 128, bidirectional: true); readonly Dense head = new(256, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Gru2 { readonly Gru rnn = new(28, 128, layers: 2); readonly Dense head = new(128, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Slice(1, 1, 1).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Gru2Bi { readonly Gru rnn = new(28, 128, layers: 2, bidirectional: true); readonly Dense head = new(256, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Slice(1, 2, 2).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Rnn1 { readonly Rnn rnn = new(28, 128); readonly Dense head = new(128, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Rnn1Bi { readonly Rnn rnn = new(28, 128, bidirectional: true); readonly Dense head = new(256, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Rnn2 { readonly Rnn rnn = new(28, 128, layers: 2); readonly Dense head = new(128, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Slice(1, 1, 1).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }
[Model] public partial class Rnn2Bi { readonly Rnn rnn = new(28, 128, layers: 2, bidirectional: true); readonly Dense head = new(256, 10); public Tensor Forward([Input(28, 28)] Tensor rows) => head.Forward(rnn.FinalHidden(rows).Slice(1, 2, 2).Flatten()); public Tensor Loss(Tensor logits, Labels digit) => Nn.CrossEntropy(logits, digit); }

/// <summary>The model for a setting of --cell, --layers and --bidirectional.</summary>
internal static class Models
{
    public static IClassifier Create(string cell, int layers, bool bidirectional, int seed) => (cell, layers, bidirectional) switch
    {
        ("lstm", 1, false) => new Lstm1(seed), ("lstm", 1, true) => new Lstm1Bi(seed),
        ("lstm", 2, false) => new Lstm2(seed), ("lstm", 2, true) => new Lstm2Bi(seed),
        ("gru", 1, false) => new Gru1(seed), ("gru", 1, true) => new Gru1Bi(seed),
        ("gru", 2, false) => new Gru2(seed), ("gru", 2, true) => new Gru2Bi(seed),
        ("rnn", 1, false) => new Rnn1(seed), ("rnn", 1, true) => new Rnn1Bi(seed),
        ("rnn", 2, false) => new Rnn2(seed), ("rnn", 2, true) => new Rnn2Bi(seed),
        _ => throw new System.ArgumentOutOfRangeException(nameof(cell), $"no model for --cell {cell} --layers {layers}"),
    };

    /// <summary>"LSTM, 2 layers, bidirectional": the setting in words, for titles.</summary>
    public static string Describe(string cell, int layers, bool bidirectional) =>
        $"{cell.ToUpperInvariant()}(28, 128){(layers > 1 ? $", {layers} layers" : "")}{(bidirectional ? ", bidirectional" : "")}";
}
