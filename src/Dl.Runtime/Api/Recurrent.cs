namespace Dl;

/// <summary>The nonlinearity of an Elman <see cref="Rnn"/>: PyTorch's <c>nonlinearity='tanh'</c> or <c>'relu'</c>.</summary>
public enum RnnNonlinearity
{
    /// <summary>h' = tanh(...).</summary>
    Tanh,
    /// <summary>h' = relu(...).</summary>
    Relu,
}

/// <summary>
/// An Elman RNN over a batch-first sequence x [N, T, inputSize]:
/// <c>h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)</c> (or ReLU), the equations and parameter
/// layout of PyTorch's <c>nn.RNN(batch_first=True)</c>, so its state dict loads as is. Per layer k
/// (and <c>_reverse</c> for the backward direction): <c>&lt;field&gt;.weight_ih_l{k}</c> [H, I_k],
/// <c>&lt;field&gt;.weight_hh_l{k}</c> [H, H], <c>&lt;field&gt;.bias_ih_l{k}</c> and <c>bias_hh_l{k}</c> [H]
/// (I_0 = inputSize, then D·H); all drawn from U(-1/√H, 1/√H) like PyTorch's. Layer k reads layer
/// k-1's output sequence; a bidirectional layer runs a second pass from the last step to the first
/// and puts both directions' outputs side by side. Backpropagation through time is derived.
/// Arguments must be compile-time constants.
/// </summary>
public sealed class Rnn
{
    /// <summary>Declares the layer as a field: <c>readonly Rnn rnn = new(28, 64);</c></summary>
    /// <param name="inputSize">Features per step (I), the last axis of the input.</param>
    /// <param name="hiddenSize">Features of the hidden state (H).</param>
    /// <param name="layers">Stacked layers (L).</param>
    /// <param name="bidirectional">Whether each layer also runs backwards in time (D = 2).</param>
    /// <param name="bias">Whether the layer has the biases b_ih and b_hh.</param>
    /// <param name="nonlinearity">tanh (the default) or ReLU.</param>
    /// <param name="stateful">Whether each call starts from the final states the previous call left (see <see cref="Stateful"/>).</param>
    public Rnn(int inputSize, int hiddenSize, int layers = 1, bool bidirectional = false, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, bool stateful = false)
    {
        InputSize = inputSize; HiddenSize = hiddenSize; Layers = layers; Bidirectional = bidirectional; Bias = bias; Nonlinearity = nonlinearity; Stateful = stateful;
    }

    /// <summary>Features per step of the input.</summary>
    public int InputSize { get; }
    /// <summary>Features of the hidden state.</summary>
    public int HiddenSize { get; }
    /// <summary>Stacked layers.</summary>
    public int Layers { get; }
    /// <summary>Whether each layer runs in both directions.</summary>
    public bool Bidirectional { get; }
    /// <summary>Whether the layer has biases.</summary>
    public bool Bias { get; }
    /// <summary>tanh or ReLU.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>
    /// Whether the layer carries its final states from one call to the next (a language model reading
    /// a text window by window): each call (Predict, Evaluate, ComputeGradients, TrainStep,
    /// InputGradient) starts from the final states of the previous one instead of zeros, and no
    /// gradient flows into them (truncated backpropagation through time: the carried state is a
    /// constant of the step). The generated model's <c>ResetState()</c> zeroes them; call it at each
    /// new text or epoch. The carried state is [N, L·D, H]: a call whose batch size differs from the
    /// previous call's starts from zeros (and allocates only when the batch grows past the largest
    /// seen). It is not a parameter and is not saved in checkpoints. A stateful layer takes no h0/c0
    /// and may run on one sequence per call. The GPU backend does not run stateful models.
    /// </summary>
    public bool Stateful { get; }

    /// <summary>The last layer's hidden state at every step, from zero initial states (a stateful layer: from the carried states); read at build time.</summary>
    /// <param name="x">[N, T, <see cref="InputSize"/>].</param>
    /// <returns>[N, T, D·H].</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
    /// <summary>The output sequence from the initial hidden states <paramref name="h0"/> [N, L·D, H] (a stateful layer takes none: DL0001).</summary>
    public Tensor Forward(Tensor x, Tensor h0) => throw Tensor.Symbolic();
    /// <summary>Each layer's and direction's hidden state after its last step, [N, L·D, H] layer-major (PyTorch's h_n, batch first).</summary>
    public Tensor FinalHidden(Tensor x) => throw Tensor.Symbolic();
    /// <summary>The final hidden states from the initial hidden states <paramref name="h0"/> [N, L·D, H].</summary>
    public Tensor FinalHidden(Tensor x, Tensor h0) => throw Tensor.Symbolic();
}

/// <summary>
/// An LSTM over a batch-first sequence x [N, T, inputSize], with PyTorch's equations and the parameter
/// layout of <c>nn.LSTM(batch_first=True)</c>, gate order i, f, g, o:
/// <c>i = σ(W_ii x + b_ii + W_hi h + b_hi)</c>, <c>f = σ(W_if x + b_if + W_hf h + b_hf)</c>,
/// <c>g = tanh(W_ig x + b_ig + W_hg h + b_hg)</c>, <c>o = σ(W_io x + b_io + W_ho h + b_ho)</c>,
/// <c>c' = f⊙c + i⊙g</c>, <c>h' = o⊙tanh(c')</c>. Per layer k (and <c>_reverse</c> for the backward
/// direction): <c>&lt;field&gt;.weight_ih_l{k}</c> [4H, I_k], <c>&lt;field&gt;.weight_hh_l{k}</c> [4H, H],
/// <c>&lt;field&gt;.bias_ih_l{k}</c> and <c>bias_hh_l{k}</c> [4H], the four gates' rows in the order
/// i, f, g, o; all drawn from U(-1/√H, 1/√H). Stacking and directions as in <see cref="Rnn"/>.
/// Arguments must be compile-time constants.
/// </summary>
public sealed class Lstm
{
    /// <summary>Declares the layer as a field: <c>readonly Lstm lstm = new(28, 128);</c></summary>
    /// <param name="inputSize">Features per step (I), the last axis of the input.</param>
    /// <param name="hiddenSize">Features of the hidden and cell states (H).</param>
    /// <param name="layers">Stacked layers (L).</param>
    /// <param name="bidirectional">Whether each layer also runs backwards in time (D = 2).</param>
    /// <param name="bias">Whether the layer has the biases b_ih and b_hh.</param>
    /// <param name="stateful">Whether each call starts from the final states the previous call left (see <see cref="Stateful"/>).</param>
    public Lstm(int inputSize, int hiddenSize, int layers = 1, bool bidirectional = false, bool bias = true, bool stateful = false)
    {
        InputSize = inputSize; HiddenSize = hiddenSize; Layers = layers; Bidirectional = bidirectional; Bias = bias; Stateful = stateful;
    }

    /// <summary>Features per step of the input.</summary>
    public int InputSize { get; }
    /// <summary>Features of the hidden and cell states.</summary>
    public int HiddenSize { get; }
    /// <summary>Stacked layers.</summary>
    public int Layers { get; }
    /// <summary>Whether each layer runs in both directions.</summary>
    public bool Bidirectional { get; }
    /// <summary>Whether the layer has biases.</summary>
    public bool Bias { get; }

    /// <summary>
    /// Whether the layer carries its final states from one call to the next (a language model reading
    /// a text window by window): each call (Predict, Evaluate, ComputeGradients, TrainStep,
    /// InputGradient) starts from the final states of the previous one instead of zeros, and no
    /// gradient flows into them (truncated backpropagation through time: the carried state is a
    /// constant of the step). The generated model's <c>ResetState()</c> zeroes them; call it at each
    /// new text or epoch. The carried state is [N, L·D, H]: a call whose batch size differs from the
    /// previous call's starts from zeros (and allocates only when the batch grows past the largest
    /// seen). It is not a parameter and is not saved in checkpoints. A stateful layer takes no h0/c0
    /// and may run on one sequence per call. The GPU backend does not run stateful models.
    /// </summary>
    public bool Stateful { get; }

    /// <summary>The last layer's hidden state at every step, from zero initial states (a stateful layer: from the carried states); read at build time.</summary>
    /// <param name="x">[N, T, <see cref="InputSize"/>].</param>
    /// <returns>[N, T, D·H].</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
    /// <summary>The output sequence from initial hidden and cell states <paramref name="h0"/>, <paramref name="c0"/> [N, L·D, H] (a stateful layer takes none: DL0001).</summary>
    public Tensor Forward(Tensor x, Tensor h0, Tensor c0) => throw Tensor.Symbolic();
    /// <summary>Each layer's and direction's hidden state after its last step, [N, L·D, H] layer-major (PyTorch's h_n, batch first).</summary>
    public Tensor FinalHidden(Tensor x) => throw Tensor.Symbolic();
    /// <summary>The final hidden states from initial states <paramref name="h0"/>, <paramref name="c0"/> [N, L·D, H].</summary>
    public Tensor FinalHidden(Tensor x, Tensor h0, Tensor c0) => throw Tensor.Symbolic();
    /// <summary>Each layer's and direction's cell state after its last step, [N, L·D, H] (PyTorch's c_n, batch first).</summary>
    public Tensor FinalCell(Tensor x) => throw Tensor.Symbolic();
    /// <summary>The final cell states from initial states <paramref name="h0"/>, <paramref name="c0"/> [N, L·D, H].</summary>
    public Tensor FinalCell(Tensor x, Tensor h0, Tensor c0) => throw Tensor.Symbolic();
}

/// <summary>
/// A GRU over a batch-first sequence x [N, T, inputSize], with PyTorch's equations and the parameter
/// layout of <c>nn.GRU(batch_first=True)</c>, gate order r, z, n:
/// <c>r = σ(W_ir x + b_ir + W_hr h + b_hr)</c>, <c>z = σ(W_iz x + b_iz + W_hz h + b_hz)</c>,
/// <c>n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))</c>, <c>h' = (1-z)⊙n + z⊙h</c>. Per layer k (and
/// <c>_reverse</c>): <c>&lt;field&gt;.weight_ih_l{k}</c> [3H, I_k], <c>&lt;field&gt;.weight_hh_l{k}</c> [3H, H],
/// <c>&lt;field&gt;.bias_ih_l{k}</c> and <c>bias_hh_l{k}</c> [3H], rows in the order r, z, n; all drawn
/// from U(-1/√H, 1/√H). Stacking and directions as in <see cref="Rnn"/>. Arguments must be compile-time constants.
/// </summary>
public sealed class Gru
{
    /// <summary>Declares the layer as a field: <c>readonly Gru gru = new(28, 128);</c></summary>
    /// <param name="inputSize">Features per step (I), the last axis of the input.</param>
    /// <param name="hiddenSize">Features of the hidden state (H).</param>
    /// <param name="layers">Stacked layers (L).</param>
    /// <param name="bidirectional">Whether each layer also runs backwards in time (D = 2).</param>
    /// <param name="bias">Whether the layer has the biases b_ih and b_hh.</param>
    /// <param name="stateful">Whether each call starts from the final states the previous call left (see <see cref="Stateful"/>).</param>
    public Gru(int inputSize, int hiddenSize, int layers = 1, bool bidirectional = false, bool bias = true, bool stateful = false)
    {
        InputSize = inputSize; HiddenSize = hiddenSize; Layers = layers; Bidirectional = bidirectional; Bias = bias; Stateful = stateful;
    }

    /// <summary>Features per step of the input.</summary>
    public int InputSize { get; }
    /// <summary>Features of the hidden state.</summary>
    public int HiddenSize { get; }
    /// <summary>Stacked layers.</summary>
    public int Layers { get; }
    /// <summary>Whether each layer runs in both directions.</summary>
    public bool Bidirectional { get; }
    /// <summary>Whether the layer has biases.</summary>
    public bool Bias { get; }

    /// <summary>
    /// Whether the layer carries its final states from one call to the next (a language model reading
    /// a text window by window): each call (Predict, Evaluate, ComputeGradients, TrainStep,
    /// InputGradient) starts from the final states of the previous one instead of zeros, and no
    /// gradient flows into them (truncated backpropagation through time: the carried state is a
    /// constant of the step). The generated model's <c>ResetState()</c> zeroes them; call it at each
    /// new text or epoch. The carried state is [N, L·D, H]: a call whose batch size differs from the
    /// previous call's starts from zeros (and allocates only when the batch grows past the largest
    /// seen). It is not a parameter and is not saved in checkpoints. A stateful layer takes no h0/c0
    /// and may run on one sequence per call. The GPU backend does not run stateful models.
    /// </summary>
    public bool Stateful { get; }

    /// <summary>The last layer's hidden state at every step, from zero initial states (a stateful layer: from the carried states); read at build time.</summary>
    /// <param name="x">[N, T, <see cref="InputSize"/>].</param>
    /// <returns>[N, T, D·H].</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
    /// <summary>The output sequence from the initial hidden states <paramref name="h0"/> [N, L·D, H] (a stateful layer takes none: DL0001).</summary>
    public Tensor Forward(Tensor x, Tensor h0) => throw Tensor.Symbolic();
    /// <summary>Each layer's and direction's hidden state after its last step, [N, L·D, H] layer-major (PyTorch's h_n, batch first).</summary>
    public Tensor FinalHidden(Tensor x) => throw Tensor.Symbolic();
    /// <summary>The final hidden states from the initial hidden states <paramref name="h0"/> [N, L·D, H].</summary>
    public Tensor FinalHidden(Tensor x, Tensor h0) => throw Tensor.Symbolic();
}
