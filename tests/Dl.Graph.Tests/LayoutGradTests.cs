using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

public class LayoutGradTests
{
    [Theory]
    [InlineData("N,3", "3,2")]
    [InlineData("2,3", "3,N")]
    [InlineData("4,N", "N,2")]
    [InlineData("1,1", "1,5")]
    public void MatMul(string a, string b) =>
        Verify((g, x) => g.MatMul(x[0], x[1]), InputSpec.Float("a", S(a)), InputSpec.Float("b", S(b)));

    // Rows over several axes ([N, T, K] x [K, M]): a dense layer applied to every step of a sequence.
    [Theory]
    [InlineData("N,4,3", "3,2")]
    [InlineData("2,N,3", "3,5")]
    [InlineData("N,2,2,3", "3,1")]
    public void MatMul_RowsOverSeveralAxes(string a, string b) =>
        Verify((g, x) => g.MatMul(x[0], x[1]), InputSpec.Float("a", S(a)), InputSpec.Float("b", S(b)));

    [Theory]
    [InlineData("N,4,3", "N,4,2")]
    [InlineData("3,N,2", "3,N,5")]
    [InlineData("N,3", "N,2")]
    public void TransposedMatMul(string a, string b) =>
        Verify((g, x) => g.TransposedMatMul(x[0], x[1]), InputSpec.Float("a", S(a)), InputSpec.Float("b", S(b)));

    [Fact]
    public void MatMul_RowsOverSeveralAxes_AgreesWithOneMatMulPerRow()
    {
        // [2,3,2] x [2,2] is the same as each of the six rows times the matrix.
        var a = new TensorValue(new[] { 2, 3, 2 }, new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
        var b = new TensorValue(new[] { 2, 2 }, new double[] { 1, -1, 0.5, 2 });
        var c = new MatMulOp().Evaluate(new[] { a, b }, new EvalContext(2));
        Assert.Equal(new[] { 2, 3, 2 }, c.Dims);
        for (int r = 0; r < 6; r++)
        {
            Assert.Equal(a[2 * r] * 1 + a[2 * r + 1] * 0.5, c[2 * r], 12);
            Assert.Equal(a[2 * r] * -1 + a[2 * r + 1] * 2, c[2 * r + 1], 12);
        }
        var t = new TransposedMatMulOp().Evaluate(new[] { a, c }, new EvalContext(2));
        Assert.Equal(new[] { 2, 2 }, t.Dims);
        double expected = 0;
        for (int r = 0; r < 6; r++) expected += a[2 * r + 1] * c[2 * r];
        Assert.Equal(expected, t[2], 9); // row 1 (a's column 1), column 0 (c's column 0)
    }

    [Fact]
    public void MatMul_SameOperandTwice() =>
        Verify((g, x) => g.MatMul(x[0], x[0]), InputSpec.Float("a", S("3,3")));

    [Theory]
    [InlineData("N,4")]
    [InlineData("2,5")]
    public void Transpose2D(string shape) =>
        Verify((g, x) => g.Transpose(x[0]), InputSpec.Float("x", S(shape)));

    [Theory]
    [InlineData(2, 0, 1)]
    [InlineData(1, 2, 0)]
    [InlineData(0, 2, 1)]
    [InlineData(2, 1, 0)]
    public void Transpose3D(int p0, int p1, int p2) =>
        Verify((g, x) => g.Transpose(x[0], new[] { p0, p1, p2 }), InputSpec.Float("x", S("N,3,4")));

    [Fact]
    public void TransposeOfTranspose_ComposedPermutation() =>
        Verify((g, x) => g.Transpose(g.Transpose(x[0], new[] { 1, 2, 0 }), new[] { 1, 2, 0 }), InputSpec.Float("x", S("2,3,4")));

    [Theory]
    [InlineData("N,6", "N,2,3")]
    [InlineData("N,2,3", "N,6")]
    [InlineData("N,2,3", "N,3,2")]
    [InlineData("4,3", "2,6")]
    [InlineData("4,3", "12")]
    [InlineData("N,3", "1,N,3")]
    [InlineData("N", "1,N")]
    public void Reshape(string from, string to) =>
        Verify((g, x) => g.Reshape(x[0], S(to)), InputSpec.Float("x", S(from)));

    [Theory]
    [InlineData("N,2,3,2")]
    [InlineData("N,5")]
    [InlineData("N")]
    public void Flatten(string from) =>
        Verify((g, x) => g.Flatten(x[0]), InputSpec.Float("x", S(from)));
}
