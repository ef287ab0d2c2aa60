using static Dl.SourceGen.Tests.DiagnosticTests;

namespace Dl.SourceGen.Tests;

/// <summary>The recurrent layers' misuse in model source: each a diagnostic at the call or setting that is wrong.</summary>
public class RecurrentDiagnosticTests
{
    [Fact]
    public void DL0002_a_sequence_input_of_the_wrong_rank() => Single(Model("""
            readonly Lstm lstm = new(28, 16);
            public Tensor Forward([Input(28)] Tensor x) => [|lstm.Forward(x)|];
        """), "DL0002", "Lstm 'lstm'", "rank 3", "[N,28]");

    [Fact]
    public void DL0001_an_input_size_mismatch() => Single(Model("""
            readonly Gru gru = new(10, 16);
            public Tensor Forward([Input(5, 28)] Tensor x) => [|gru.FinalHidden(x)|];
        """), "DL0001", "Gru 'gru'", "[N,T,10]", "[N,5,28]");

    [Fact]
    public void DL0001_an_initial_state_of_the_wrong_hidden_size() => Single(Model("""
            readonly Rnn rnn = new(28, 16);
            public Tensor Forward([Input(5, 28)] Tensor x, [Input(1, 8)] Tensor h0) => [|rnn.Forward(x, h0)|];
        """), "DL0001", "Rnn 'rnn'", "h0", "[N,1,16]", "[N,1,8]");

    [Fact]
    public void DL0001_an_lstm_cell_state_for_two_directions_given_one() => Single(Model("""
            readonly Lstm lstm = new(3, 4, bidirectional: true);
            public Tensor Forward([Input(5, 3)] Tensor x, [Input(2, 4)] Tensor h0, [Input(1, 4)] Tensor c0) => [|lstm.FinalCell(x, h0, c0)|];
        """), "DL0001", "Lstm 'lstm'", "c0", "[N,2,4]", "[N,1,4]");

    [Fact]
    public void DL0001_no_layers() => Single(Model("""
            readonly Lstm lstm = new(3, 4, layers: 0);
            public Tensor Forward([Input(5, 3)] Tensor x) => [|lstm.Forward(x)|];
        """), "DL0001", "Lstm 'lstm'", "at least one layer");

    [Fact]
    public void DL0012_a_setting_read_from_a_static_mutable_field() => Single(Model("""
            static int hidden = 4;
            readonly Lstm lstm = new(3, [|hidden|]);
            public Tensor Forward([Input(5, 3)] Tensor x) => lstm.Forward(x);
        """), "DL0012", "'hidden' must be a compile-time constant");
}
