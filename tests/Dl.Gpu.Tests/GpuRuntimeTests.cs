using Dl.Models.Tests;
using Dl.Models.Tests.Models;
using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu.Tests;

/// <summary>What a train step moves between host and device, arena reuse, device choice and its errors.</summary>
[Collection(AcceleratorCollection.Name)]
public class GpuRuntimeTests
{
    private static GpuDevice Device => Accelerator.Device;

    [Fact]
    public void A_train_step_uploads_only_its_batch_and_reads_nothing_back()
    {
        const int batch = 6;
        var x = TestInputs.Floats(batch * 12, 21);
        var y = TestInputs.Labels(batch, 5, 22);
        var host = new SmallMlp(seed: 2) { LearningRate = 0.5f };
        var before = host.Parameters.ToArray();
        using var gpu = new SmallMlp.Gpu(host, Device);
        gpu.TrainStep(x, y); // the first step may allocate the arena
        Device.Synchronize();

        long uploads = Device.Uploads, uploaded = Device.UploadedBytes, downloads = Device.Downloads;
        for (int step = 0; step < 3; step++) gpu.TrainStep(x, y);
        Device.Synchronize();
        Assert.Equal(3 * 2, Device.Uploads - uploads);                                   // x and labels, each step
        Assert.Equal(3L * (x.Length + y.Length) * sizeof(float), Device.UploadedBytes - uploaded);
        Assert.Equal(0, Device.Downloads - downloads);                                   // no loss, no parameters, no gradients
        Assert.Equal(before, host.Parameters.ToArray());                                 // the host copy is untouched ...

        gpu.SetBatch(x, y);
        uploads = Device.Uploads;
        for (int step = 0; step < 3; step++) gpu.TrainStep();                           // the batch already on the device
        Device.Synchronize();
        Assert.Equal(uploads, Device.Uploads);
        Assert.Equal(downloads, Device.Downloads);

        gpu.CopyParametersToHost();                                                      // ... until asked for
        Assert.NotEqual(before, host.Parameters.ToArray());
        Assert.Equal(1, gpu.Arena.Allocations);
    }

    [Fact]
    public void The_arena_grows_only_for_a_larger_batch()
    {
        using var gpu = new SmallMlp.Gpu(new SmallMlp(seed: 1), Device);
        gpu.Predict(TestInputs.Floats(8 * 12, 1));
        gpu.Predict(TestInputs.Floats(3 * 12, 2));
        gpu.Predict(TestInputs.Floats(8 * 12, 3));
        Assert.Equal(1, gpu.Arena.Allocations);
        gpu.Predict(TestInputs.Floats(9 * 12, 4));
        Assert.Equal(2, gpu.Arena.Allocations);
        Assert.Equal(9, gpu.Arena.Capacity);
    }

    [Fact]
    public void Methods_without_a_batch_need_one_on_the_device()
    {
        using var gpu = new SmallMlp.Gpu(new SmallMlp(seed: 1), Device);
        Assert.Throws<InvalidOperationException>(() => gpu.TrainStep());
        gpu.SetBatch(TestInputs.Floats(2 * 12, 1), new[] { 0, 1 });
        gpu.Predict(TestInputs.Floats(2 * 12, 2)); // replaces the batch's images, not its labels
        var e = Assert.Throws<InvalidOperationException>(() => gpu.ComputeGradients());
        Assert.Contains("SetBatch", e.Message);
    }

    [Fact]
    public void A_wrong_batch_is_rejected_before_anything_is_enqueued()
    {
        using var gpu = new SmallMlp.Gpu(new SmallMlp(seed: 1), Device);
        var e = Assert.Throws<ArgumentException>(() => gpu.SetBatch(new float[2 * 12], new[] { 0, 1, 2 }));
        Assert.Contains("label", e.Message);
        Assert.Throws<ArgumentException>(() => gpu.Predict(new float[13]));
    }

    [Fact]
    public void Asking_for_an_absent_device_names_the_devices_that_are_there()
    {
        Assert.True(GpuDevice.Available(DeviceKind.CpuAccelerator));
        Assert.Throws<ArgumentException>(() => GpuDevice.Create(DeviceKind.Cpu));
        var e = Assert.Throws<InvalidOperationException>(() => GpuDevice.Create(DeviceKind.CpuAccelerator, index: 5));
        Assert.Contains("CPU", e.Message);
        if (!GpuDevice.Available(DeviceKind.Cuda))
        {
            e = Assert.Throws<InvalidOperationException>(() => GpuDevice.Create(DeviceKind.Cuda));
            Assert.Contains("no Cuda device", e.Message);
            Assert.Contains("ILGPU found", e.Message);
        }
    }

    /// <summary>On a CUDA machine: the MNIST model's train step on the GPU equals the CPU backend's, step for step.</summary>
    [CudaFact]
    public void Cuda_MnistMlp_train_steps_match_the_CPU_backend()
    {
        using var cuda = GpuDevice.Create(DeviceKind.Cuda);
        const int batch = 64;
        var x = TestInputs.Floats(batch * 784, 31);
        var y = TestInputs.Labels(batch, 10, 32);
        var cpu = new MnistMlp(seed: 1) { LearningRate = 0.1f };
        var host = new MnistMlp(seed: 1) { LearningRate = 0.1f };
        using var gpu = new MnistMlp.Gpu(host, cuda);
        Near.All(gpu.Predict(x), cpu.Predict(x).ToArray(), 1e-4, 1e-3, "logits");
        for (int step = 0; step < 5; step++) { cpu.TrainStep(x, y); gpu.TrainStep(x, y); }
        gpu.CopyParametersToHost();
        Near.All(host.Parameters, cpu.Parameters.ToArray(), 1e-4, 1e-3, "parameters after 5 steps");
    }

    /// <summary>On a CUDA machine: both GEMM kernels against the CPU GEMM at a size the emulator cannot reach.</summary>
    [CudaFact]
    public void Cuda_large_gemm_matches_the_CPU_gemm()
    {
        using var cuda = GpuDevice.Create(DeviceKind.Cuda);
        const int m = 517, n = 389, k = 300;
        var a = TestInputs.Floats(k * m, 1);
        var b = TestInputs.Floats(k * n, 2);
        var expected = new float[m * n];
        Dl.Cpu.Gemm.Multiply(m, n, k, a, m, true, b, n, false, expected, n);
        using var da = cuda.Accelerator.Allocate1D(a);
        using var db = cuda.Accelerator.Allocate1D(b);
        using var dc = cuda.Accelerator.Allocate1D<float>(m * n);
        foreach (var variant in new[] { GemmVariant.Tile16, GemmVariant.Block128 })
        {
            cuda.Kernels.Gemm(cuda.Stream, m, n, k, da.View, m, true, db.View, n, false, dc.View, n, variant: variant);
            cuda.Synchronize();
            Near.All(dc.GetAsArray1D(), expected, 1e-3, 1e-3, variant.ToString());
        }
    }
}
