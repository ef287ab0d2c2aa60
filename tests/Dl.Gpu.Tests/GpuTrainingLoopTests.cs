using Dl.Gpu.Tests.Models;
using Dl.Models.Tests;
using Dl.Models.Tests.Models;
using Dl.Training;

namespace Dl.Gpu.Tests;

/// <summary>
/// What generative models and transfer learning need, on the device against the CPU backend: dropout masks and
/// normal samples (the same bits per step on both), Backward from an upstream gradient, objectives that train
/// their own parts only, and updates that skip frozen tensors.
/// </summary>
[Collection(AcceleratorCollection.Name)]
public class GpuTrainingLoopTests
{
    private static GpuDevice Device => Accelerator.Device;

    private static void SameGradients(Dl.ICompiledModel cpu, Dl.ICompiledModel gpuHost, string when)
    {
        foreach (var p in cpu.ParameterLayout)
            Near.All(gpuHost.Gradients.Slice(p.Offset, p.Length), cpu.Gradients.Slice(p.Offset, p.Length), 1e-5, 1e-4, $"d{p.Name} {when}");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(32)]
    public void Dropout_masks_are_the_CPU_masks_step_after_step(int batch)
    {
        var x = TestInputs.Floats(batch * 6, 1);
        var y = TestInputs.Labels(batch, 3, 2);
        var cpu = new DropoutNet(seed: 4) { LearningRate = 0.2f };
        var host = new DropoutNet(seed: 4) { LearningRate = 0.2f };
        using var gpu = new DropoutNet.Gpu(host, Device);
        Near.All(gpu.Predict(x), cpu.Predict(x), 1e-5, 1e-4, "inference output");

        var losses = new List<float>();
        for (int step = 0; step < 3; step++)
        {
            float cpuLoss = cpu.ComputeGradients(x, y);
            gpu.ComputeGradients(x, y);
            Near.All([gpu.ReadLoss()], [cpuLoss], 1e-6, 1e-5, $"loss at step {step}");
            gpu.CopyGradientsToHost();
            SameGradients(cpu, host, $"at step {step}");
            losses.Add(cpuLoss);
        }
        // Same batch, same parameters: only the masks differ from step to step, so the losses must too.
        Assert.Equal(3, losses.Distinct().Count());

        for (int step = 0; step < 3; step++) { cpu.TrainStep(x, y); gpu.TrainStep(x, y); }
        gpu.CopyParametersToHost();
        Near.All(host.Parameters, cpu.Parameters, 1e-5, 1e-4, "parameters after 3 steps");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(17)]
    public void A_VAE_draws_the_CPU_samples_and_matches_its_loss_and_gradients(int batch)
    {
        var x = TestInputs.Floats(batch * TinyVae.Features, 3);
        var cpu = new TinyVae(seed: 2) { LearningRate = 0.05f };
        var host = new TinyVae(seed: 2) { LearningRate = 0.05f };
        using var gpu = new TinyVae.Gpu(host, Device);
        Near.All(gpu.Predict(x), cpu.Predict(x), 1e-5, 1e-4, "inference output (the mean code)");
        for (int step = 0; step < 3; step++)
        {
            float cpuLoss = cpu.ComputeGradients(x, x);
            gpu.ComputeGradients(x, x);
            Near.All([gpu.ReadLoss()], [cpuLoss], 1e-6, 1e-5, $"loss at step {step}");
            gpu.CopyGradientsToHost();
            SameGradients(cpu, host, $"at step {step}");
            cpu.TrainStep(x, x);
            gpu.TrainStep(x, x);
        }
        gpu.CopyParametersToHost();
        Near.All(host.Parameters, cpu.Parameters, 1e-5, 1e-4, "parameters after 3 steps");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void Backward_from_an_upstream_gradient_matches_the_CPU(int batch)
    {
        var x = TestInputs.Floats(batch * 12, 5);
        var upstream = TestInputs.Floats(batch * 5, 6);
        var cpu = new SmallMlp(seed: 3);
        var host = new SmallMlp(seed: 3);
        using var gpu = new SmallMlp.Gpu(host, Device);
        cpu.Backward(x, upstream);
        gpu.Backward(x, upstream);
        gpu.CopyGradientsToHost();
        SameGradients(cpu, host, "from Backward");
        Assert.Contains(host.Gradients.ToArray(), g => g != 0);
        // Backward took no labels: a method without arguments needs a whole batch first.
        Assert.Throws<InvalidOperationException>(() => gpu.ComputeGradients());
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.05f)]
    public void Objectives_train_their_own_parts_as_on_the_CPU(float maxNorm)
    {
        const int batch = 6;
        var cpu = new TinyGan(seed: 7);
        var host = new TinyGan(seed: 7);
        using var gpu = new TinyGan.Gpu(host, Device);
        var cpuDisc = new Adam(0.01f) { MaxGradientNorm = maxNorm };
        var cpuGen = new Adam(0.01f) { MaxGradientNorm = maxNorm };
        using var gpuDisc = new GpuOptimizer(new Adam(0.01f) { MaxGradientNorm = maxNorm });
        using var gpuGen = new GpuOptimizer(new Adam(0.01f) { MaxGradientNorm = maxNorm });
        var generator = host.ParameterLayout.Where(p => p.Name.StartsWith("generator.", StringComparison.Ordinal)).ToList();
        var before = host.Parameters.ToArray();

        for (int round = 0; round < 3; round++)
        {
            var z = TestInputs.Floats(batch * 2, 10 + round);
            var real = TestInputs.Floats(batch * 3, 20 + round);
            float cpuLoss = cpu.ComputeDiscriminatorLossGradients(z, real);
            gpu.ComputeDiscriminatorLossGradients(z, real);
            Near.All([gpu.ReadLoss()], [cpuLoss], 1e-6, 1e-5, $"discriminator loss, round {round}");
            cpu.TrainDiscriminatorLoss(z, real, cpuDisc);
            gpu.TrainDiscriminatorLoss(z, real, gpuDisc);
            if (round == 0)
            {
                gpu.CopyParametersToHost();
                foreach (var p in generator)
                    Assert.Equal(before.AsSpan(p.Offset, p.Length).ToArray(), host.Parameters.Slice(p.Offset, p.Length).ToArray());
                Assert.NotEqual(before, host.Parameters.ToArray());
            }
            cpu.TrainGeneratorLoss(z, cpuGen);
            gpu.TrainGeneratorLoss(z, gpuGen);
        }
        gpu.CopyParametersToHost();
        Near.All(host.Parameters, cpu.Parameters, 1e-5, 1e-4, "parameters after 3 rounds of both objectives");
    }

    [Fact]
    public void Updates_skip_frozen_tensors_as_on_the_CPU()
    {
        var x = TestInputs.Floats(8 * 12, 1);
        var y = TestInputs.Labels(8, 5, 2);
        var cpu = new SmallMlp(seed: 3) { LearningRate = 0.3f };
        var host = new SmallMlp(seed: 3) { LearningRate = 0.3f };
        using var gpu = new SmallMlp.Gpu(host, Device);
        cpu.Freeze("hidden");
        host.Freeze("hidden");
        var before = host.Parameters.ToArray();
        var hidden = host.ParameterLayout.Where(p => p.Name.StartsWith("hidden.", StringComparison.Ordinal)).ToList();

        var cpuAdam = new Adam(0.01f);
        using var gpuAdam = new GpuOptimizer(new Adam(0.01f));
        for (int step = 0; step < 3; step++)
        {
            cpu.TrainStep(x, y);
            gpu.TrainStep(x, y);
            cpu.ComputeGradients(x, y);
            cpuAdam.Step(cpu);
            gpu.TrainStep(x, y, gpuAdam);
        }
        gpu.CopyParametersToHost();
        Near.All(host.Parameters, cpu.Parameters, 1e-5, 1e-4, "parameters after SGD and Adam steps");
        foreach (var p in hidden)
            Assert.Equal(before.AsSpan(p.Offset, p.Length).ToArray(), host.Parameters.Slice(p.Offset, p.Length).ToArray());
        Assert.NotEqual(before, host.Parameters.ToArray());

        // Unfrozen, everything trains again.
        host.UnfreezeAll();
        gpu.TrainStep(x, y);
        gpu.CopyParametersToHost();
        foreach (var p in hidden)
            Assert.NotEqual(before.AsSpan(p.Offset, p.Length).ToArray(), host.Parameters.Slice(p.Offset, p.Length).ToArray());
    }
}
