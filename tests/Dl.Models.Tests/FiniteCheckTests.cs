using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>
/// <see cref="ModelGuard.CheckFinite"/> is process-wide: these tests switch it, so they run alone,
/// not beside tests that would find it on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CheckFiniteCollection
{
    public const string Name = "ModelGuard.CheckFinite";
}

/// <summary>
/// One NaN pixel in a batch used to turn a layer's weights into NaN after one TrainStep, silently. With
/// the opt-in check a non-finite input is refused before anything runs, and a parameter made
/// non-finite by an update is reported by its path.
/// </summary>
[Collection(CheckFiniteCollection.Name)]
public class FiniteCheckTests
{
    private const int Batch = 8;
    private static readonly int[] s_y = TestInputs.Labels(Batch, 10, 2);

    private static float[] ImagesWith(float value, int at)
    {
        var x = TestInputs.Floats(Batch * 784, 1);
        x[at] = value;
        return x;
    }

    private static void With(bool on, Action test)
    {
        bool was = ModelGuard.CheckFinite;
        ModelGuard.CheckFinite = on;
        try { test(); }
        finally { ModelGuard.CheckFinite = was; }
    }

    [Fact]
    public void The_check_is_off_by_default() => Assert.False(ModelGuard.CheckFinite);

    [Fact]
    public void Off_a_nan_pixel_poisons_the_weights_without_a_word() => With(false, () =>
    {
        var model = new MnistMlp(seed: 1) { LearningRate = 0.1f };
        model.TrainStep(ImagesWith(float.NaN, 3 * 784 + 200), s_y);
        Assert.True(model.Parameters.ToArray().Count(float.IsNaN) > 1000, "what the check exists for: the step spreads the NaN to many weights");
    });

    [Fact]
    public void On_a_nan_pixel_is_refused_before_the_step_naming_the_input_and_index() => With(true, () =>
    {
        var model = new MnistMlp(seed: 1) { LearningRate = 0.1f };
        var before = model.Parameters.ToArray();
        var e = Assert.Throws<NotFiniteNumberException>(() => model.TrainStep(ImagesWith(float.NaN, 3 * 784 + 200), s_y));
        Assert.Equal("MnistMlp: input 'image' [N,784] has NaN at index 2552; nothing was run (ModelGuard.CheckFinite is on)", e.Message);
        Assert.True(model.Parameters.SequenceEqual(before), "the refused step changed the parameters");
        Assert.True(float.IsNaN((float)e.OffendingNumber));
    });

    [Fact]
    public void On_every_entry_point_checks_its_float_inputs() => With(true, () =>
    {
        var model = new MnistMlp(seed: 1);
        var x = ImagesWith(float.PositiveInfinity, 7 * 784 + 783);   // the last value of the batch
        foreach (var call in new Action[] { () => model.Predict(x), () => model.Evaluate(x, s_y), () => model.ComputeGradients(x, s_y) })
            Assert.Contains("index 6271", Assert.Throws<NotFiniteNumberException>(call).Message);
        var clean = TestInputs.Floats(Batch * 784, 1);
        Assert.True(model.Predict(clean).ToArray().All(float.IsFinite));
        Assert.True(float.IsFinite(model.TrainStep(clean, s_y)));
    });

    [Fact]
    public void On_a_parameter_made_non_finite_by_the_update_is_named_by_its_path() => With(true, () =>
    {
        // An infinite step size: every weight with a gradient becomes infinite, one without becomes NaN (inf * 0).
        var model = new MnistMlp(seed: 1) { LearningRate = float.PositiveInfinity };
        var e = Assert.Throws<NotFiniteNumberException>(() => model.TrainStep(TestInputs.Floats(Batch * 784, 1), s_y));
        Assert.Equal("MnistMlp: -Infinity at index 0 of 'hidden.weight' [784,128] after TrainStep's SGD update: the step diverged (ModelGuard.CheckFinite is on)", e.Message);
    });

    [Fact]
    public void On_a_float_target_is_checked_by_its_name_too() => With(true, () =>
    {
        var model = new ResidualRegressor(seed: 5);
        var x = TestInputs.Floats(4 * 6, 1);
        var target = TestInputs.Floats(4 * 2, 2);
        target[5] = float.NegativeInfinity;
        var e = Assert.Throws<NotFiniteNumberException>(() => model.TrainStep(x, target));
        Assert.Contains("'target'", e.Message);
        Assert.Contains("index 5", e.Message);
        Assert.True(model.Predict(x).ToArray().All(float.IsFinite), "Predict has no target to check");
    });
}
