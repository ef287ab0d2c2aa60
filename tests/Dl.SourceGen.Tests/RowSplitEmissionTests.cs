using System;
using Dl.Cpu;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Which loops are run split over the batch's rows (Dl.RowSplit), and that both kinds still compute what
/// the reference evaluator computes: an LSTM's loops are row-local and split (checked at 2 threads with the
/// threshold lowered so the small model splits at all); a cell that subtracts the batch's mean hidden state
/// mixes the rows, and its loop is written as a plain loop in the entry point.
/// </summary>
[Collection(RowSplitCollection.Name)]
public class RowSplitEmissionTests
{
    private static string Model(string members) => $$"""
        using Dl;
        namespace Test;
        [Layer]
        public partial class MixingCell(int inputs, int hidden)
        {
            readonly Param w = new(Init.Glorot, inputs, hidden);
            readonly Param u = new(Init.Glorot, hidden, hidden);
            public Tensor Step(Tensor x, Tensor h) => (x.MatMul(w) + h.MatMul(u) - h.Mean(0)).Tanh();
        }
        [Model]
        public partial class Seq
        {
        {{members}}
            public Tensor Loss(Tensor y, [Input] Labels l) => Nn.CrossEntropy(y, l);
        }
        """;

    private const string LstmModel = """
            readonly Lstm lstm = new(3, 6, layers: 2, bidirectional: true);
            readonly Dense head = new(12, 3);
            public Tensor Forward([Input(10, 3)] Tensor x) => head.Forward(lstm.Forward(x).Select(1, 9));
        """;

    private const string MixingModel = """
            readonly Dense start = new(3, 6);
            readonly MixingCell cell = new(3, 6);
            readonly Dense head = new(6, 3);
            public Tensor Forward([Input(10, 3)] Tensor x)
            {
                var h = start.Forward(x.Select(1, 0)).Tanh();
                for (int t = 0; t < 10; t++) h = cell.Step(x.Select(1, t), h);
                return head.Forward(h);
            }
        """;

    private static void Check(string members, bool splits)
    {
        string source = CompiledModelHarness.Source(Model(members), "Seq");
        var train = source[source.IndexOf("public float ComputeGradients(", StringComparison.Ordinal)..];
        train = train[..train.IndexOf("\n        }\n", StringComparison.Ordinal)];
        Assert.True(train.Contains("for (int __t0", StringComparison.Ordinal) != splits, "loops written in ComputeGradients itself");
        Assert.True(train.Contains("global::Dl.RowSplit.Run(", StringComparison.Ordinal) == splits, "loops run split over the batch's rows");

        int threadsWas = WorkerPool.Threads;
        long minWas = RowSplit.MinPartWork, before = RowSplit.Splits;
        WorkerPool.Threads = 2;
        RowSplit.MinPartWork = 1;
        try
        {
            CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(Model(members), "Seq", batch: 37));
            Assert.True(RowSplit.Splits > before == splits, $"{RowSplit.Splits - before} loops split");
        }
        finally
        {
            WorkerPool.Threads = threadsWas;
            RowSplit.MinPartWork = minWas;
        }
    }

    [Fact]
    public void An_lstms_loops_run_split_over_the_rows_and_agree_with_the_reference() => Check(LstmModel, splits: true);

    [Fact]
    public void A_loop_that_mixes_the_rows_is_not_split_and_agrees_with_the_reference() => Check(MixingModel, splits: false);
}

/// <summary>The row-split tests change the pool's thread count and the split threshold: not beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RowSplitCollection
{
    public const string Name = "Row splits";
}
