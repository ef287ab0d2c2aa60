using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>The checker itself: what it compares, and that it is reproducible.</summary>
public class GradCheckTests
{
    [Fact]
    public void SameSeed_SameResult_DifferentSeed_DifferentValues()
    {
        var inputs = new[] { InputSpec.Float("x", S("N,4")) };
        var a = Check((g, x) => g.Tanh(g.Mul(x[0], x[0])), inputs, seed: 5);
        var b = Check((g, x) => g.Tanh(g.Mul(x[0], x[0])), inputs, seed: 5);
        var c = Check((g, x) => g.Tanh(g.Mul(x[0], x[0])), inputs, seed: 6);
        Assert.Equal(a.MaxAbsError, b.MaxAbsError);
        Assert.Equal(a.Compared, c.Compared);
        Assert.NotEqual(a.MaxAbsError, c.MaxAbsError);
    }

    [Fact]
    public void LabelsAndConstantsAreBoundButNotCompared()
    {
        var ce = Check((g, x) => g.SoftmaxCrossEntropy(x[0], x[1]),
            new[] { InputSpec.Float("z", S("N,4")), InputSpec.Labels("y", S("N"), 4) });
        Assert.True(ce.Passed, ce.ToString());
        Assert.Equal(12, ce.Compared);

        var mse = Check((g, x) => g.Mse(x[0], x[1]), new[] { InputSpec.Float("p", S("N,2")), InputSpec.Constant("t", S("N,2")) });
        Assert.Equal(6, mse.Compared);
    }

    [Fact]
    public void ParamsAreComparedUnlessExcluded()
    {
        var inputs = new[] { InputSpec.Float("x", S("N,2")) };
        Assert.Equal(6 + 6 + 3, Check((g, x) => Layers.Dense(g, "d", x[0], 2, 3), inputs).Compared);
        Assert.Equal(6, Check((g, x) => Layers.Dense(g, "d", x[0], 2, 3), inputs, includeParams: false).Compared);
    }

    [Fact]
    public void AnalyticAndNumericAgreeToFarBelowTheTolerance()
    {
        // A passing check should not be passing by a hair: double-precision central differences are ~1e-9 accurate here.
        var r = Check((g, x) => g.Softmax(g.MatMul(x[0], x[1])), new[] { InputSpec.Float("a", S("N,3")), InputSpec.Float("b", S("3,4")) });
        Assert.True(r.Passed, r.ToString());
        Assert.True(r.MaxErrorRatio < 0.1, r.ToString());
    }
}
