using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>The cell a recurrent layer runs at each time step.</summary>
public enum RecurrentCell
{
    /// <summary>h' = tanh(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnTanh,
    /// <summary>h' = relu(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnRelu,
    /// <summary>Gates i, f, g, o (in that order): c' = f⊙c + i⊙g, h' = o⊙tanh(c').</summary>
    Lstm,
    /// <summary>Gates r, z, n (in that order): n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h' = (1-z)⊙n + z⊙h.</summary>
    Gru,
}

/// <summary>What a recurrent layer gives: the last layer's hidden state at every step, and every layer's final state.</summary>
public sealed class RecurrentResult(Node output, Node finalHidden, Node? finalCell)
{
    /// <summary>[N, T, D·H]: the last layer's hidden state at each step (both directions side by side when bidirectional).</summary>
    public Node Output { get; } = output;
    /// <summary>[N, L·D, H]: each layer's (and direction's) hidden state after its last step, layer-major: PyTorch's h_n, batch first.</summary>
    public Node FinalHidden { get; } = finalHidden;
    /// <summary>[N, L·D, H]: the LSTM's cell state after the last step (null for the other cells).</summary>
    public Node? FinalCell { get; } = finalCell;
}

/// <summary>
/// The recurrent layers (RNN, LSTM, GRU) with PyTorch's equations and parameter layout (its
/// <c>nn.RNN/LSTM/GRU(batch_first=True)</c>), so its weights load as they are. Each layer and
/// direction is one loop (<see cref="ScanOp"/>) over the time axis whose body is one step of the
/// cell in ordinary ops: autodiff derives backpropagation through time from it.
/// </summary>
public static partial class Layers
{
    /// <summary>Gates per cell: the row blocks of its weights (PyTorch's G·H rows).</summary>
    public static int GateCount(RecurrentCell cell) => cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };

    /// <summary>The init of a cell's weights and biases: PyTorch's U(-1/√H, 1/√H), H = rows / gates.</summary>
    public static Init RecurrentInit(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Lstm => Init.LstmUniform,
        RecurrentCell.Gru => Init.GruUniform,
        _ => Init.RnnUniform,
    };

    /// <summary>An Elman RNN (tanh or ReLU) over a batch-first sequence x [N, T, inputSize]; h0 [N, L·D, H] defaults to zeros.</summary>
    public static RecurrentResult Rnn(GraphBuilder g, string path, Node x, int inputSize, int hiddenSize, int layers = 1,
        bool bidirectional = false, bool relu = false, bool bias = true, Node? h0 = null, bool stateful = false) =>
        Recurrent(g, relu ? RecurrentCell.RnnRelu : RecurrentCell.RnnTanh, path, x, inputSize, hiddenSize, layers, bidirectional, bias, h0, null, stateful);

    /// <summary>An LSTM over a batch-first sequence x [N, T, inputSize]; h0 and c0 [N, L·D, H] default to zeros.</summary>
    public static RecurrentResult Lstm(GraphBuilder g, string path, Node x, int inputSize, int hiddenSize, int layers = 1,
        bool bidirectional = false, bool bias = true, Node? h0 = null, Node? c0 = null, bool stateful = false) =>
        Recurrent(g, RecurrentCell.Lstm, path, x, inputSize, hiddenSize, layers, bidirectional, bias, h0, c0, stateful);

    /// <summary>A GRU over a batch-first sequence x [N, T, inputSize]; h0 [N, L·D, H] defaults to zeros.</summary>
    public static RecurrentResult Gru(GraphBuilder g, string path, Node x, int inputSize, int hiddenSize, int layers = 1,
        bool bidirectional = false, bool bias = true, Node? h0 = null, bool stateful = false) =>
        Recurrent(g, RecurrentCell.Gru, path, x, inputSize, hiddenSize, layers, bidirectional, bias, h0, null, stateful);

    /// <summary>The layer's name in messages: "Lstm 'encoder'".</summary>
    private static string Describe(RecurrentCell cell, string path) =>
        $"{(cell == RecurrentCell.Lstm ? "Lstm" : cell == RecurrentCell.Gru ? "Gru" : "Rnn")} '{path}'";

    /// <summary>
    /// A recurrent layer of <paramref name="cell"/>s. A <paramref name="stateful"/> layer takes no h0/c0:
    /// it starts from the final states its previous call left (<see cref="CarriedStateOp"/>s
    /// "&lt;path&gt;.h" and, for the LSTM, "&lt;path&gt;.c"), and carries this call's final states to the next.
    /// </summary>
    public static RecurrentResult Recurrent(GraphBuilder g, RecurrentCell cell, string path, Node x, int inputSize, int hiddenSize, int layers,
        bool bidirectional, bool bias, Node? h0, Node? c0, bool stateful = false)
    {
        string name = Describe(cell, path);
        if (stateful && (h0 is not null || c0 is not null))
            throw new ShapeException(ShapeErrorKind.BadArgument,
                $"{name} is stateful: each call starts from the state the previous call left (zeros after ResetState()), so it takes no initial state {(h0 is not null ? "h0" : "c0")}; pass only the sequence, or declare it with stateful: false");
        if (inputSize < 1 || hiddenSize < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{name}: input and hidden sizes must be positive, got input {inputSize}, hidden {hiddenSize}");
        if (layers < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{name}: needs at least one layer, got {layers}");
        if (c0 is not null && cell != RecurrentCell.Lstm)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{name}: only an LSTM has a cell state c0");
        if (x.Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"{name} expects a float sequence, got integers of shape {x.Shape}");
        if (x.Shape.Rank != 3)
            throw new ShapeException(ShapeErrorKind.WrongRank,
                $"{name} expects a batch-first sequence [N,T,{inputSize}] (rank 3), got rank {x.Shape.Rank} {x.Shape}");
        if (x.Shape[1].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"{name}: the time axis (1) of {x.Shape} must have a fixed length, not the batch's");
        if (x.Shape[2] != Dim.Of(inputSize))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"{name} expects input [N,T,{inputSize}] ({inputSize} features per step), got {x.Shape}");

        int directions = bidirectional ? 2 : 1, steps = x.Shape[1].Size, h = hiddenSize;
        Dim n = x.Shape[0];
        var stateShape = new Shape(n, Dim.Of(layers * directions), Dim.Of(h));
        CheckState(name, "h0", h0, stateShape);
        CheckState(name, "c0", c0, stateShape);
        if (stateful)
        {
            h0 = g.CarriedState(path + ".h", stateShape);
            if (cell == RecurrentCell.Lstm) c0 = g.CarriedState(path + ".c", stateShape);
        }

        var sequence = x;
        var finalH = new List<Node>();
        var finalC = new List<Node>();
        for (int k = 0; k < layers; k++)
        {
            int inputs = k == 0 ? inputSize : directions * h;
            var outputs = new List<Node>();
            for (int d = 0; d < directions; d++)
            {
                int index = k * directions + d;
                var loop = Direction(g, cell, $"{path}.", $"l{k}{(d == 1 ? "_reverse" : "")}", sequence, inputs, h, bias, reverse: d == 1,
                    InitialState(g, h0, index, n, h), cell == RecurrentCell.Lstm ? InitialState(g, c0, index, n, h) : null);
                var output = loop.Stacked(loop.Loop.Body.CarriesOut[0], axis: 1);
                outputs.Add(output);
                // The final hidden state is the output's last step in time (the first for the reverse
                // direction), read from the same result: the VJP of each loop result is a reverse loop
                // of its own, so reading Final(0) beside the output would run the backward pass twice.
                finalH.Add(g.Slice(output, 1, d == 1 ? 0 : steps - 1, 1));
                if (cell == RecurrentCell.Lstm) finalC.Add(g.Reshape(loop.Final(1), new Shape(n, Dim.Of(1), Dim.Of(h))));
            }
            sequence = g.Concat(outputs, axis: 2);
        }
        var result = new RecurrentResult(sequence, g.Concat(finalH, axis: 1), cell == RecurrentCell.Lstm ? g.Concat(finalC, axis: 1) : null);
        if (stateful)
        {
            g.Carry(h0!, result.FinalHidden);
            if (c0 is not null) g.Carry(c0, result.FinalCell!);
        }
        return result;
    }

    private static void CheckState(string name, string what, Node? state, Shape expected)
    {
        if (state is null) return;
        if (state.Type != DType.Float32 || !state.Shape.Equals(expected))
            throw new ShapeException(ShapeErrorKind.Mismatch,
                $"{name}: the initial state {what} must be [N, layers·directions, hidden] = {expected}, got {state.Shape}{(state.Type == DType.Int32 ? " (integers)" : "")}");
    }

    /// <summary>One (layer, direction)'s initial state [N, H]: its row of the given state, or zeros.</summary>
    private static Node InitialState(GraphBuilder g, Node? state, int index, Dim n, int h) =>
        state is null ? g.Constant(0, new Shape(n, Dim.Of(h))) : g.Reshape(g.Slice(state, 1, index, 1), new Shape(n, Dim.Of(h)));

    /// <summary>
    /// One layer in one direction: its parameters (PyTorch's names and [G·H, in] layout, transposed
    /// once here so products multiply rows by columns without a transpose) and the loop over time.
    /// The input projection x·W_ihᵀ (+ the biases) does not depend on the state, so it runs before
    /// the loop as one GEMM over all N·T rows; the loop slices its result, and each step is left with
    /// one recurrent GEMM h·W_hhᵀ and the gate arithmetic.
    /// </summary>
    private static ScanCall Direction(GraphBuilder g, RecurrentCell cell, string prefix, string suffix, Node sequence, int inputs, int h,
        bool bias, bool reverse, Node h0, Node? c0)
    {
        int rows = GateCount(cell) * h;
        var init = RecurrentInit(cell);
        var wih = g.Transpose(g.Param($"{prefix}weight_ih_{suffix}", new Shape(rows, inputs), init));
        // W_hh is captured as stored, [G·H, H]: the body multiplies by its transpose, which the step's GEMM
        // reads as a flag (a transpose outside the loop would be a copy of the weight on every call).
        var whh = g.Param($"{prefix}weight_hh_{suffix}", new Shape(rows, h), init);
        // Time-major [T, N, I]: each step's rows of the projection are then contiguous, so the loop
        // reads its slice (and the backward loop writes the projection's gradient) in place instead of
        // gathering N rows per step.
        var projected = g.MatMul(g.Transpose(sequence, new[] { 1, 0, 2 }), wih);
        var captures = new List<Node> { whh };
        if (bias)
        {
            var bih = g.Param($"{prefix}bias_ih_{suffix}", new Shape(rows), init);
            var bhh = g.Param($"{prefix}bias_hh_{suffix}", new Shape(rows), init);
            // Only the GRU keeps b_hn apart (it is inside r⊙(...)); the others add both biases to the projection.
            if (cell == RecurrentCell.Gru) { projected = g.BiasAdd(projected, bih); captures.Add(bhh); }
            else projected = g.BiasAdd(projected, g.Add(bih, bhh));
        }
        var body = Step(cell, sequence.Shape[0], h, bias);
        var init0 = c0 is null ? new[] { h0 } : new[] { h0, c0 };
        return g.Scan(body, sequence.Shape[1].Size, init0, new[] { projected }, captures, new[] { 0 }, reverse);
    }

    /// <summary>One step of the cell over the carries (h, and c for the LSTM), the step's projected input [N, G·H] and the captured weights.</summary>
    private static ScanBody Step(RecurrentCell cell, Dim n, int h, bool bias)
    {
        int rows = GateCount(cell) * h;
        var body = new ScanBodyBuilder();
        var b = body.Graph;
        var hPrev = body.Carry(new Shape(n, Dim.Of(h)));
        var cPrev = cell == RecurrentCell.Lstm ? body.Carry(new Shape(n, Dim.Of(h))) : null;
        var gi = body.Slice(new Shape(n, Dim.Of(rows)));
        var whhT = b.Transpose(body.Capture(new Shape(rows, h)));
        Node Gate(Node all, int gate) => b.Slice(all, 1, gate * h, h);

        if (cell == RecurrentCell.Gru)
        {
            var gh = b.MatMul(hPrev, whhT);
            if (bias) gh = b.BiasAdd(gh, body.Capture(new Shape(rows)));
            var r = b.Sigmoid(b.Add(Gate(gi, 0), Gate(gh, 0)));
            var z = b.Sigmoid(b.Add(Gate(gi, 1), Gate(gh, 1)));
            var candidate = b.Tanh(b.Add(Gate(gi, 2), b.Mul(r, Gate(gh, 2))));
            // (1 - z)⊙n + z⊙h
            return body.Finish(b.Add(b.Mul(b.Sub(b.Constant(1), z), candidate), b.Mul(z, hPrev)));
        }

        var pre = b.Add(gi, b.MatMul(hPrev, whhT));
        switch (cell)
        {
            case RecurrentCell.RnnTanh: return body.Finish(b.Tanh(pre));
            case RecurrentCell.RnnRelu: return body.Finish(b.Relu(pre));
        }
        var i = b.Sigmoid(Gate(pre, 0));
        var f = b.Sigmoid(Gate(pre, 1));
        var gCell = b.Tanh(Gate(pre, 2));
        var o = b.Sigmoid(Gate(pre, 3));
        var c = b.Add(b.Mul(f, cPrev!), b.Mul(i, gCell));
        return body.Finish(b.Mul(o, b.Tanh(c)), c);
    }
}
