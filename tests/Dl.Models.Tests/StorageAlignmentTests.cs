using System.Reflection;
using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>
/// The compiler places every parameter, gradient, state and working tensor at a multiple of 64 bytes
/// from the start of its array; these check that the arrays themselves start on a 64-byte line
/// (<see cref="AlignedFloats"/>), so each tensor does. A plain <c>new float[n]</c> started 16 or 24
/// bytes past a line, and the MLP's weight rows then straddled two lines on every vector load.
/// </summary>
public class StorageAlignmentTests
{
    private static unsafe long Misalignment(ReadOnlySpan<float> s)
    {
        fixed (float* p = s) return (long)p % 64;
    }

    /// <summary>The working memory, read from the generated private field after a call has sized it.</summary>
    private static Span<float> Arena(object model) =>
        ((AlignedFloats)model.GetType().GetField("__arena", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(model)!).Span;

    private static void AssertAligned(ICompiledModel model)
    {
        Assert.Equal(0, Misalignment(model.Parameters));
        Assert.Equal(0, Misalignment(model.Gradients));
        Span<float> arena = Arena(model);
        Assert.True(arena.Length > 0);
        Assert.Equal(0, Misalignment(arena));
        foreach (var p in model.ParameterLayout) Assert.Equal(0, p.Offset % 16);
    }

    [Fact]
    public void Mlp_parameters_gradients_and_working_memory_start_on_a_line()
    {
        var model = new MnistMlp(seed: 1);
        model.TrainStep(new float[3 * 784], new int[3]);
        AssertAligned(model);
    }

    [Fact]
    public void Batch_norm_state_starts_on_a_line()
    {
        var model = new ResBnNet(seed: 1);
        model.TrainStep(new float[2 * 196], new int[2]);
        AssertAligned(model);
        Assert.Equal(0, Misalignment(model.State));
    }

    [Fact]
    public void Recurrent_working_memory_starts_on_a_line_after_it_grows()
    {
        var model = new TorchLstm(seed: 1);
        model.TrainStep(new float[1 * 4], new float[1 * 4]);
        model.TrainStep(new float[40 * 4], new float[40 * 4]);   // a larger batch: the arena is replaced
        AssertAligned(model);
    }
}
