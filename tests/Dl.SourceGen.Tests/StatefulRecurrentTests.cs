using System.Linq;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Stateful recurrent layers (<c>stateful: true</c>) in model source: misuse is a diagnostic at the
/// call, the generated class carries the state (ResetState, ICarriedStateModel) only when a layer is
/// stateful, and the GPU backend refuses such a model with DL0041 instead of failing. What the carried
/// state computes is tested on compiled models in Dl.Models.Tests (StatefulRecurrentTests).
/// </summary>
public class StatefulRecurrentTests
{
    [Fact]
    public void DL0001_a_stateful_rnn_given_an_initial_state() => Single(Model("""
            readonly Rnn rnn = new(3, 4, stateful: true);
            public Tensor Forward([Input(5, 3)] Tensor x, [Input(1, 4)] Tensor h0) => [|rnn.Forward(x, h0)|];
        """), "DL0001", "Rnn 'rnn' is stateful", "no initial state h0", "stateful: false");

    [Fact]
    public void DL0001_a_stateful_lstm_given_initial_states() => Single(Model("""
            readonly Lstm lstm = new(3, 4, stateful: true);
            public Tensor Forward([Input(5, 3)] Tensor x, [Input(1, 4)] Tensor h0, [Input(1, 4)] Tensor c0) => [|lstm.FinalHidden(x, h0, c0)|].Reshape(-1, 4);
        """), "DL0001", "Lstm 'lstm' is stateful", "h0");

    [Fact]
    public void DL0001_a_stateful_gru_run_on_two_sequences_in_one_call() => Single(Model("""
            readonly Gru gru = new(3, 4, stateful: true);
            public Tensor Forward([Input(5, 3)] Tensor x) => gru.Forward(x).Mean(1) + [|gru.Forward(x.Tanh())|].Mean(1);
        """), "DL0001", "'gru' runs on two different sequences in one call");

    [Fact]
    public void DL0012_a_stateful_setting_that_is_not_a_constant() => Single(Model("""
            static bool carry = true;
            readonly Lstm lstm = new(3, 4, stateful: [|carry|]);
            public Tensor Forward([Input(5, 3)] Tensor x) => lstm.Forward(x);
        """), "DL0012", "'carry' must be a compile-time constant");

    private static string Seq(string stateful) => $$"""
        using Dl;
        namespace Test;
        [Model]
        public partial class Seq
        {
            readonly Lstm lstm = new(3, 4{{stateful}});
            public Tensor Forward([Input(5, 3)] Tensor x) => [|lstm.Forward(x)|].Mean(1);
            public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
        }
        """;

    [Fact]
    public void Only_a_stateful_layer_gives_the_model_ResetState()
    {
        // Reading the output and the final state of the same call is one layer run: it is not "two sequences".
        var stateful = CompiledModelHarness.Source(Markup(Seq(", stateful: true")).Item1.Replace("lstm.Forward(x).Mean(1)", "lstm.Forward(x).Mean(1) + lstm.FinalCell(x).Reshape(-1, 4)"), "Seq");
        Assert.Contains("global::Dl.ICarriedStateModel", stateful);
        Assert.Contains("public void ResetState()", stateful);
        var plain = CompiledModelHarness.Source(Markup(Seq("")).Item1, "Seq");
        Assert.DoesNotContain("ICarriedStateModel", plain);
        Assert.DoesNotContain("ResetState", plain);
    }

    [Fact]
    public void The_character_model_of_the_docs_compiles()
    {
        // docs/using-dlcompiler.md, "Stateful recurrent layers".
        var source = CompiledModelHarness.Source("""
            using Dl;
            namespace Test;
            [Model]
            public partial class CharModel
            {
                readonly Embedding embed = new(96, 64);
                readonly Lstm lstm = new(64, 256, layers: 2, stateful: true);
                readonly Param w = new(Init.Glorot, 256, 96);

                public Tensor Forward([Input(64)] Labels chars) => lstm.Forward(embed.Forward(chars)).MatMul(w);   // [N, 64, 96]
                public Tensor Loss(Tensor scores, [Input(64)] Labels next) => Nn.CrossEntropy(scores, next);
            }
            """, "CharModel");
        Assert.Contains("public void ResetState()", source);
    }

    [Fact]
    public void The_GPU_backend_refuses_a_stateful_model_with_DL0041_at_the_layer_call()
    {
        var (source, spans) = Markup(Seq(", stateful: true"));
        var result = ModelBuilder.Build(Generate(source).Spec("Seq"), ModelBuilder.Gpu);
        Assert.NotNull(result.Source); // the CPU class is still made
        var diagnostic = Assert.Single(result.Diagnostics).ToDiagnostic();
        Assert.Equal("DL0041", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(spans[0], diagnostic.Location.SourceSpan);
        Assert.Contains("stateful", diagnostic.GetMessage());
        Assert.Contains("NotSupportedReason", result.GpuSource);
    }
}
