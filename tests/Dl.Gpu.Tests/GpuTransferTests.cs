using Dl.Models.Tests;
using System.Threading;
using System.Diagnostics;

namespace Dl.Gpu.Tests;

/// <summary>
/// Host memory a transfer reads or writes must stay where it is while the copy runs: ILGPU's
/// <c>CopyToCPU(stream, ref T, length)</c> takes the reference's address without pinning it, so a
/// garbage collection that moved a fresh array in the middle of a read-back left the values at the array's
/// old address and zeros in the array (the optimizer state that came back as zeros, 1 CI run in 6).
/// </summary>
[Collection(AcceleratorCollection.Name)]
public class GpuTransferTests
{
    private static GpuDevice Device => Accelerator.Device;

    [Fact]
    public void Downloads_and_uploads_into_fresh_arrays_survive_compacting_collections()
    {
        const int n = 5000;
        var expected = TestInputs.Floats(n, 7);
        using var buffer = Device.Accelerator.Allocate1D<float>(n);
        Device.Upload<float>(expected, buffer.View);

        using var stop = new CancellationTokenSource();
        // Compacting gen-0 collections back to back, each moving the young arrays the loop below allocates.
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested) GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
        }) { IsBackground = true };
        collector.Start();
        try
        {
            var clock = Stopwatch.StartNew();
            int rounds = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(1) || rounds < 50)
            {
                var back = new float[n];   // young: the collections move it
                Device.Download(buffer.View, back.AsSpan());
                Assert.True(back.AsSpan().SequenceEqual(expected), $"a read-back after {rounds} rounds differs from what was uploaded");
                var again = expected.ToArray();
                Device.Upload<float>(again, buffer.View);
                rounds++;
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }
}
