using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>What a user sees at run time: no allocation per step, clear errors for wrong batches, determinism.</summary>
public class RuntimeBehaviourTests
{
    [Fact]
    public void TrainStep_AllocatesNothingAfterWarmUp()
    {
        var model = new MnistMlp(seed: 1) { LearningRate = 0.01f };
        var x = new float[64 * 784];
        var y = new int[64];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 255) / 255f;
        for (int i = 0; i < y.Length; i++) y[i] = i % 10;
        // Warm-up: arena, GEMM scratch, and the JIT's background tier-ups (which land ~100 ms after
        // a method gets hot; a few steps are not enough for them to settle).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do { model.TrainStep(x, y); model.Predict(x); } while (clock.ElapsedMilliseconds < 300);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) model.TrainStep(x, y);
        for (int i = 0; i < 20; i++) model.Predict(x);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RecurrentTrainStep_AllocatesNothingAfterWarmUp()
    {
        // Loops keep their per-step residuals in the arena, planned at build time: no buffer per call or per step.
        var model = new Models.SequenceNet(seed: 1) { LearningRate = 0.01f };
        var x = new float[16 * 9 * 6];
        var y = new int[16];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 17) / 17f - 0.5f;
        for (int i = 0; i < y.Length; i++) y[i] = i % 3;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do { model.TrainStep(x, y); model.Predict(x); } while (clock.ElapsedMilliseconds < 300);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) model.TrainStep(x, y);
        for (int i = 0; i < 20; i++) model.Predict(x);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Predict_WrongLength_NamesExpectedAndActualShapes()
    {
        var model = new MnistMlp();
        var e = Assert.Throws<ArgumentException>(() => model.Predict(new float[785]));
        Assert.Contains("[N,784]", e.Message);
        Assert.Contains("785", e.Message);
        Assert.Contains("image", e.Message);
    }

    [Fact]
    public void TrainStep_LabelCountMismatch_NamesBothShapes()
    {
        var model = new MnistMlp();
        var e = Assert.Throws<ArgumentException>(() => model.TrainStep(new float[2 * 784], new int[3]));
        Assert.Contains("label", e.Message);
        Assert.Contains("[N]", e.Message);
        Assert.Contains("2", e.Message);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void LabelOutOfRange_IsReported()
    {
        var model = new SmallMlp();
        var e = Assert.ThrowsAny<ArgumentException>(() => model.TrainStep(new float[12], new[] { 7 }));
        Assert.Contains("7", e.Message);
    }

    [Fact]
    public void SameSeed_SameParameters_DifferentSeed_Different()
    {
        var a = new MnistMlp(seed: 4);
        var b = new MnistMlp(seed: 4);
        var c = new MnistMlp(seed: 5);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
    }

    [Fact]
    public void GraphText_ShowsForwardLossAndGradients()
    {
        Assert.Contains("MatMul", MnistMlp.GraphText);
        Assert.Contains("SoftmaxCrossEntropy", MnistMlp.GraphText);
        Assert.Contains("Param{hidden.weight [784,128] He}", MnistMlp.GraphText);
        Assert.StartsWith("digraph", MnistMlp.GraphDot);
    }
}
