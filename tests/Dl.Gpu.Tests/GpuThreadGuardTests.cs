using System.Reflection;
using System.Threading;
using Dl.Models.Tests;
using Dl.Models.Tests.Models;

namespace Dl.Gpu.Tests;

/// <summary>A model's Gpu object entered from a second thread while in use throws naming it, as the CPU model does.</summary>
[Collection(AcceleratorCollection.Name)]
public class GpuThreadGuardTests
{
    private static readonly FieldInfo s_owner = typeof(SmallMlp.Gpu).GetField("__dl_owner", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("the generated SmallMlp.Gpu has no __dl_owner field");

    [Fact]
    public void Entry_points_refuse_a_second_thread_and_nested_calls_pass()
    {
        var x = TestInputs.Floats(4 * 12, 1);
        var y = TestInputs.Labels(4, 5, 2);
        using var gpu = new SmallMlp.Gpu(new SmallMlp(seed: 1), Accelerator.Device);
        gpu.TrainStep(x, y);   // SetBatch and TrainStep() inside TrainStep(x, y): nested on one thread
        Assert.Equal(0, (int)s_owner.GetValue(gpu)!);

        using var inside = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        var holder = new Thread(() => { s_owner.SetValue(gpu, Environment.CurrentManagedThreadId); inside.Set(); leave.Wait(); });
        holder.Start();
        inside.Wait();
        try
        {
            foreach (var call in new Action[] { () => gpu.Predict(x), () => gpu.SetBatch(x, y), () => gpu.Evaluate(), () => gpu.Evaluate(x, y),
                () => gpu.ComputeGradients(), () => gpu.ComputeGradients(x, y), () => gpu.TrainStep(), () => gpu.TrainStep(x, y) })
                Assert.Contains("SmallMlp.Gpu", Assert.Throws<InvalidOperationException>(call).Message);
        }
        finally
        {
            leave.Set();
            holder.Join();
        }
        s_owner.SetValue(gpu, 0);

        Assert.ThrowsAny<ArgumentException>(() => gpu.TrainStep(new float[13], y));   // thrown inside: the guard is released
        Assert.Equal(0, (int)s_owner.GetValue(gpu)!);
        float loss = float.NaN;
        var other = new Thread(() => loss = gpu.Evaluate(x, y));
        other.Start();
        other.Join();
        Assert.True(float.IsFinite(loss) && loss > 0);
    }
}
