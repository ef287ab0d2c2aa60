using System.IO;
using Dl.Checkpoints;
using Dl.Models.Tests;
using Dl.Models.Tests.Models;
using Dl.Training;
using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu.Tests;

/// <summary>
/// <see cref="GpuOptimizer"/> on ILGPU's CPU accelerator: every rule against the same optimizer on the CPU
/// backend through several steps of a generated model, one rule against the double-precision reference,
/// what a step moves between host and device, and checkpoints written after GPU training.
/// </summary>
[Collection(AcceleratorCollection.Name)]
public class GpuOptimizerTests
{
    private static GpuDevice Device => Accelerator.Device;

    /// <summary>
    /// Each configuration is built twice (CPU and GPU each get their own state and step count). Rates are
    /// large enough that a dropped term (decay, momentum, clip factor, bias correction) moves parameters far
    /// past the tolerance within two steps; clipping limits are below SmallMlp's gradient norms (the test checks they bite).
    /// </summary>
    private static Optimizer Make(string rule) => rule switch
    {
        "sgd+wd" => new Sgd(0.2f) { WeightDecay = 0.05f },
        "momentum+wd" => new Momentum(0.1f, 0.9f) { WeightDecay = 0.01f },
        "nesterov" => new Momentum(0.1f, 0.8f, nesterov: true),
        "rmsprop+wd" => new RmsProp(0.003f, rho: 0.9f) { WeightDecay = 0.1f },
        "adagrad" => new AdaGrad(0.05f),
        "adam+wd" => new Adam(0.01f) { WeightDecay = 0.01f },
        "adamw" => new AdamW(0.01f) { WeightDecay = 0.1f },
        "adam+clip" => new Adam(0.01f) { MaxGradientNorm = 0.1f },
        "momentum+clip+schedule" => new Momentum(0.2f) { MaxGradientNorm = 0.5f, Schedule = LearningRateSchedule.Step(0.2f, 2, 0.5f) },
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    public static TheoryData<string> Rules => new()
    {
        "sgd+wd", "momentum+wd", "nesterov", "rmsprop+wd", "adagrad", "adam+wd", "adamw", "adam+clip", "momentum+clip+schedule",
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Every_rule_matches_the_CPU_optimizer_step_after_step(string rule)
    {
        const int batch = 8;
        var xs = new[] { TestInputs.Floats(batch * 12, 31), TestInputs.Floats(batch * 12, 32) };
        var ys = new[] { TestInputs.Labels(batch, 5, 33), TestInputs.Labels(batch, 5, 34) };
        var cpu = new SmallMlp(seed: 7);
        var cpuOptimizer = Make(rule);
        var host = new SmallMlp(seed: 7);
        using var gpu = new SmallMlp.Gpu(host, Device);
        using var gpuOptimizer = new GpuOptimizer(Make(rule));
        var start = host.Parameters.ToArray();

        for (int step = 1; step <= 6; step++)
        {
            var (x, y) = (xs[step % 2], ys[step % 2]);
            cpu.ComputeGradients(x, y);
            cpuOptimizer.Step(cpu);
            gpu.TrainStep(x, y, gpuOptimizer);
            if (step % 2 != 0) continue;
            gpu.CopyParametersToHost();
            Near.All(host.Parameters, cpu.Parameters, 1e-5, 1e-4, $"{rule}: parameters after {step} steps");
            if (cpuOptimizer.MaxGradientNorm > 0)
            {
                Assert.True(cpuOptimizer.LastGradientNorm > cpuOptimizer.MaxGradientNorm, "the clip must bite for the test to check it");
                Near.All([gpuOptimizer.ReadGradientNorm()], [cpuOptimizer.LastGradientNorm], 1e-6, 1e-5, $"{rule}: gradient norm after {step} steps");
            }
        }
        Assert.Equal(6, gpuOptimizer.Optimizer.StepCount);
        // A rule that did nothing would pass the comparison only if the CPU also did nothing.
        Assert.NotEqual(start, host.Parameters.ToArray());

        gpuOptimizer.CopyStateToHost();
        foreach (var slot in cpuOptimizer.SlotNames)
            Near.All(gpuOptimizer.Optimizer.State[slot], cpuOptimizer.State[slot], 1e-5, 1e-4, $"{rule}: slot {slot}");
    }

    /// <summary>Straight on device buffers, against <see cref="OptimizerReference"/> in double: 5000 values, so the norm takes three groups.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adam_kernel_matches_the_reference_over_three_steps(bool decoupled) => AdamAgainstReference(Device, 5000, decoupled);

    private static void AdamAgainstReference(GpuDevice device, int n, bool decoupled)
    {
        const float lr = 0.01f, beta1 = 0.8f, beta2 = 0.95f, eps = 1e-6f, wd = 0.1f, maxNorm = 20f;
        var p = TestInputs.Floats(n, 41);
        var optimizer = decoupled ? new AdamW(lr, beta1, beta2, eps) { WeightDecay = wd } : new Adam(lr, beta1, beta2, eps) { WeightDecay = wd, MaxGradientNorm = maxNorm };
        using var gpuOptimizer = new GpuOptimizer(optimizer);
        using var pBuffer = device.Accelerator.Allocate1D(p);
        using var gBuffer = device.Accelerator.Allocate1D<float>(n);

        double[] rp = p.Select(v => (double)v).ToArray(), m = new double[n], v = new double[n];
        for (int step = 1; step <= 3; step++)
        {
            var g = TestInputs.Floats(n, 50 + step);
            device.Upload<float>(g, gBuffer.View);
            gpuOptimizer.Step(device, pBuffer.View, gBuffer.View);

            var rg = g.Select(x => (double)x).ToArray();
            if (decoupled)
                OptimizerReference.AdamW(rp, rg, m, v, lr, beta1, beta2, eps, step, wd);
            else
            {
                // Uniform values in [-1, 1] have a norm near sqrt(n / 3), at least 41: the clip halves them or more.
                Assert.True(OptimizerReference.ClipByGlobalNorm(rg, maxNorm) > maxNorm * 1.5);
                OptimizerReference.Adam(rp, rg, m, v, lr, beta1, beta2, eps, step, wd);
            }
            device.Synchronize();
            Near.All(pBuffer.GetAsArray1D(), rp, 1e-5, 1e-4, $"parameters after step {step}");
        }
        gpuOptimizer.CopyStateToHost();
        Near.All(optimizer.State["m"], m, 1e-6, 1e-4, "m");
        Near.All(optimizer.State["v"], v, 1e-6, 1e-4, "v");
    }

    /// <summary>On a CUDA machine: the PTX of the update and norm kernels, the norm over 147 groups.</summary>
    [CudaFact]
    public void Cuda_Adam_kernel_matches_the_reference()
    {
        using var cuda = GpuDevice.Create(DeviceKind.Cuda);
        AdamAgainstReference(cuda, 300_000, decoupled: false);
        AdamAgainstReference(cuda, 300_000, decoupled: true);
    }

    /// <summary>On a CUDA machine: MNIST's model with clipped Nesterov momentum and decay, as on the CPU, step for step.</summary>
    [CudaFact]
    public void Cuda_MnistMlp_optimizer_steps_match_the_CPU_backend()
    {
        using var cuda = GpuDevice.Create(DeviceKind.Cuda);
        const int batch = 64;
        var x = TestInputs.Floats(batch * 784, 81);
        var y = TestInputs.Labels(batch, 10, 82);
        Optimizer Make() => new Momentum(0.05f, 0.9f, nesterov: true) { WeightDecay = 1e-3f, MaxGradientNorm = 0.5f };
        var cpu = new MnistMlp(seed: 1);
        var cpuOptimizer = Make();
        var host = new MnistMlp(seed: 1);
        using var gpu = new MnistMlp.Gpu(host, cuda);
        using var gpuOptimizer = new GpuOptimizer(Make());
        for (int step = 0; step < 5; step++)
        {
            cpu.ComputeGradients(x, y);
            cpuOptimizer.Step(cpu);
            gpu.TrainStep(x, y, gpuOptimizer);
        }
        gpu.CopyParametersToHost();
        Near.All(host.Parameters, cpu.Parameters.ToArray(), 1e-4, 1e-3, "parameters after 5 steps");
        Near.All([gpuOptimizer.ReadGradientNorm()], [cpuOptimizer.LastGradientNorm], 1e-5, 1e-4, "gradient norm");
    }

    [Fact]
    public void An_optimizer_step_uploads_only_the_batch_and_reads_nothing_back()
    {
        const int batch = 4;
        var x = TestInputs.Floats(batch * 12, 61);
        var y = TestInputs.Labels(batch, 5, 62);
        var host = new SmallMlp(seed: 8);
        var before = host.Parameters.ToArray();
        using var gpu = new SmallMlp.Gpu(host, Device);
        using var optimizer = new GpuOptimizer(new Adam(0.01f) { MaxGradientNorm = 0.1f, WeightDecay = 0.01f });
        gpu.TrainStep(x, y, optimizer); // the first step allocates the state
        Device.Synchronize();

        gpu.SetBatch(x, y);
        long uploads = Device.Uploads, downloads = Device.Downloads;
        for (int step = 0; step < 3; step++) gpu.TrainStep(optimizer);
        Device.Synchronize();
        Assert.Equal(uploads, Device.Uploads);
        Assert.Equal(downloads, Device.Downloads);
        Assert.Equal(before, host.Parameters.ToArray());
        Assert.Equal(4, optimizer.Optimizer.StepCount);
        Assert.Empty(optimizer.Optimizer.State); // the state lives on the device until copied
    }

    /// <summary>Train on the GPU, save, load into fresh objects, resume on the GPU: the result is the CPU's uninterrupted run.</summary>
    [Fact]
    public void A_checkpoint_saved_after_GPU_training_resumes_exactly()
    {
        const int batch = 6;
        var x = TestInputs.Floats(batch * 12, 71);
        var y = TestInputs.Labels(batch, 5, 72);
        var cpu = new SmallMlp(seed: 9);
        var cpuOptimizer = new Adam(0.01f) { WeightDecay = 0.01f };
        for (int step = 0; step < 5; step++) { cpu.ComputeGradients(x, y); cpuOptimizer.Step(cpu); }

        string path = Path.Combine(Path.GetTempPath(), $"dl-gpu-optim-{Environment.ProcessId}.safetensors");
        try
        {
            var host = new SmallMlp(seed: 9);
            using (var gpu = new SmallMlp.Gpu(host, Device))
            using (var optimizer = new GpuOptimizer(new Adam(0.01f) { WeightDecay = 0.01f }))
            {
                for (int step = 0; step < 3; step++) gpu.TrainStep(x, y, optimizer);
                gpu.CopyParametersToHost();
                optimizer.CopyStateToHost();
                Checkpoint.Save(path, host, optimizer.Optimizer);
            }

            var resumedHost = new SmallMlp(seed: 1);
            var resumed = new Adam(0.01f) { WeightDecay = 0.01f };
            Checkpoint.Load(path, resumedHost, resumed);
            Assert.Equal(3, resumed.StepCount);
            using var resumedGpu = new SmallMlp.Gpu(resumedHost, Device);
            using var resumedOptimizer = new GpuOptimizer(resumed); // its first step uploads the loaded m and v
            for (int step = 0; step < 2; step++) resumedGpu.TrainStep(x, y, resumedOptimizer);
            resumedGpu.CopyParametersToHost();
            Near.All(resumedHost.Parameters, cpu.Parameters, 1e-5, 1e-4, "parameters after 3 GPU steps, a checkpoint and 2 more");
            Assert.Equal(5, resumed.StepCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class CustomAdam : Adam
    {
        protected override void Apply(in UpdateRange range, float learningRate, long step) { }
    }

    [Fact]
    public void A_rule_without_a_kernel_is_refused_and_a_second_model_size_too()
    {
        var e = Assert.Throws<NotSupportedException>(() => new GpuOptimizer(new CustomAdam()));
        Assert.Contains("CustomAdam", e.Message);

        using var optimizer = new GpuOptimizer(new Sgd(0.1f));
        using var a = Device.Accelerator.Allocate1D<float>(8);
        using var b = Device.Accelerator.Allocate1D<float>(7);
        optimizer.Step(Device, a.View, a.View);
        Assert.Throws<InvalidOperationException>(() => optimizer.Step(Device, b.View, b.View));
        Assert.Throws<ArgumentException>(() => optimizer.Step(Device, a.View, b.View));
    }
}
