using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Where with three operands that broadcast in a way no [rows, cols] loop reads ([N,3,1] against [N,1,4]): the
/// op runs as a strided loop on its own, which any elementwise op with an operator struct gets (binary or
/// three operands), and agrees with the reference evaluator forward and backward.
/// </summary>
public class WhereCompileTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Where_over_operands_no_loop_layout_reads_runs_strided_and_agrees(int batch)
    {
        const string source = """
            using Dl;
            namespace Test;
            [Model]
            public partial class M
            {
                readonly Param p = new(1, 4);
                readonly Param q = new(3, 1);
                public Tensor Forward([Input(3, 1)] Tensor x, [Input(1, 4)] Tensor z) => Nn.Where(Nn.Greater(x, q), z * p, x * q);
                public Tensor Loss(Tensor y) => (y * y).Mean();
            }
            """;
        var generated = CompiledModelHarness.Source(source, "M");
        Assert.Contains("default(global::Dl.Operators.Where).Invoke(", generated);   // the strided loop's call
        AgreesWithReference(Run(source, "M", batch));
    }
}
