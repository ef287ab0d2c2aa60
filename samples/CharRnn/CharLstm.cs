using Dl;

namespace CharRnn;

/// <summary>
/// A character-level language model: each of <see cref="Window"/> characters is embedded (64 features), an LSTM
/// reads them in order, and a dense layer turns every step's hidden state into scores for the character that
/// follows it. The loss is the cross-entropy of all <see cref="Window"/> predictions (many-to-many). The LSTM is
/// stateful: each call starts from the state the previous call ended in, so a window continues where the window
/// before it in the same row stopped, while gradients stop at the window's start (truncated BPTT).
/// </summary>
[Model]
public partial class CharLstm
{
    /// <summary>Characters per training window: backpropagation runs through this many steps.</summary>
    public const int Window = 64;
    /// <summary>Features per step of the LSTM's state.</summary>
    public const int Hidden = 256;

    readonly Embedding embed = new(Alphabet.Size, 64);            // [N, 64] tokens -> [N, 64, 64]
    readonly Lstm lstm = new(64, Hidden, stateful: true);         // -> [N, 64, 256], the state carried from call to call
    readonly Param w = new(Init.Glorot, Hidden, Alphabet.Size);
    readonly Param b = new(Init.Zeros, Alphabet.Size);

    /// <summary>Scores for the next character after each of the window's characters: [N, Window, Alphabet.Size].</summary>
    public Tensor Forward([Input(Window)] Labels chars) => lstm.Forward(embed.Forward(chars)).MatMul(w) + b;

    public Tensor Loss(Tensor scores, [Input(Window)] Labels next) => Nn.CrossEntropy(scores, next);
}
