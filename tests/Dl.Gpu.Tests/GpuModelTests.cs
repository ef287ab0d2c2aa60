using Dl.Graph;
using Dl.Models.Tests;
using Dl.Models.Tests.Models;

namespace Dl.Gpu.Tests;

/// <summary>
/// Generated models' Gpu classes on ILGPU's CPU accelerator against the same model's CPU methods
/// and the reference evaluator: predictions, loss, every gradient, and parameters after three SGD steps.
/// </summary>
[Collection(AcceleratorCollection.Name)]
public class GpuModelTests
{
    private static GpuDevice Device => Accelerator.Device;

    /// <summary>Compares a host model and its Gpu twin (created from a model with equal parameters) on one batch, then after three steps.</summary>
    private static void Check<TModel>(TModel cpu, TModel gpuHost, ModelGraph graph, int batch, (string Name, Array Values)[] inputs,
        Func<ReadOnlySpan<float>> cpuPredict, Func<ReadOnlySpan<float>> gpuPredict,
        Func<float> cpuGradients, Action gpuGradients, Func<float> gpuLoss, Action cpuStep, Action gpuStep,
        Action copyGradients, Action copyParameters) where TModel : Dl.ICompiledModel
    {
        var reference = Reference.Run(graph, cpu, batch, inputs);
        var cpuOut = cpuPredict().ToArray();
        var gpuOut = gpuPredict().ToArray();
        Near.All(gpuOut, cpuOut, 1e-5, 1e-4, "output vs CPU");
        Near.All(gpuOut, reference.Output, 1e-5, 1e-4, "output vs reference");

        float cpuLoss = cpuGradients();
        gpuGradients();
        float loss = gpuLoss();
        // Relative tolerances: a float loss of 34 carries rounding in its fifth decimal.
        Near.All([loss], [(float)reference.Loss], 1e-6, 1e-5, "loss vs reference");
        Near.All([loss], [cpuLoss], 1e-6, 1e-6, "loss vs CPU");
        copyGradients();
        foreach (var p in cpu.ParameterLayout)
        {
            Near.All(gpuHost.Gradients.Slice(p.Offset, p.Length), cpu.Gradients.Slice(p.Offset, p.Length), 1e-5, 1e-3, "d" + p.Name + " vs CPU");
            Near.All(gpuHost.Gradients.Slice(p.Offset, p.Length), reference.Gradients[p.Name], 1e-5, 1e-3, "d" + p.Name + " vs reference");
        }

        for (int step = 0; step < 3; step++) { cpuStep(); gpuStep(); }
        copyParameters();
        Near.All(gpuHost.Parameters, cpu.Parameters, 1e-5, 1e-4, "parameters after 3 SGD steps");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    public void SmallMlp_matches_the_CPU_backend_and_the_reference(int batch)
    {
        var x = TestInputs.Floats(batch * 12, 1);
        var y = TestInputs.Labels(batch, 5, 2);
        var cpu = new SmallMlp(seed: 3) { LearningRate = 0.3f };
        var host = new SmallMlp(seed: 3) { LearningRate = 0.3f };
        using var gpu = new SmallMlp.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.Classifier("SmallMlp", 12, 16, 5, new ReluOp()), batch, new (string, Array)[] { ("x", x), ("label", y) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, y), () => gpu.ComputeGradients(x, y), gpu.ReadLoss,
            () => cpu.TrainStep(x, y), () => gpu.TrainStep(x, y), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(19)]
    public void OpZoo_elementwise_groups_softmax_and_reductions_match(int batch)
    {
        var x = TestInputs.Floats(batch * 5, 6, 2);
        var t = TestInputs.Floats(batch * 4, 7).Select(v => (v + 1) / 2).ToArray();
        var cpu = new OpZoo(seed: 9) { LearningRate = 0.1f };
        var host = new OpZoo(seed: 9) { LearningRate = 0.1f };
        using var gpu = new OpZoo.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.OpZoo(), batch, new (string, Array)[] { ("x", x), ("target", t) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, t), () => gpu.ComputeGradients(x, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, t), () => gpu.TrainStep(x, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(17)]
    // A small rate: three residual blocks with unit scales diverge at 0.05, and a diverging run
    // amplifies float rounding until CPU and GPU no longer agree to 1e-4 (-53019 vs -53038).
    public void ResidualRegressor_shared_weights_and_mse_match(int batch)
    {
        var x = TestInputs.Floats(batch * 6, 4);
        var t = TestInputs.Floats(batch * 2, 5);
        var cpu = new ResidualRegressor(seed: 5) { LearningRate = 0.005f };
        var host = new ResidualRegressor(seed: 5) { LearningRate = 0.005f };
        using var gpu = new ResidualRegressor.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.ResidualRegressor(), batch, new (string, Array)[] { ("x", x), ("target", t) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, t), () => gpu.ComputeGradients(x, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, t), () => gpu.TrainStep(x, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void SequenceLayout_select_stack_concat_slice_and_reverse_kernels_match(int batch)
    {
        var x = TestInputs.Floats(batch * 24, 11);
        var t = TestInputs.Floats(batch * 12, 12);
        var cpu = new Models.SequenceLayout(seed: 2) { LearningRate = 0.1f };
        var host = new Models.SequenceLayout(seed: 2) { LearningRate = 0.1f };
        using var gpu = new Models.SequenceLayout.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.SequenceLayout(), batch, new (string, Array)[] { ("x", x), ("target", t) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, t), () => gpu.ComputeGradients(x, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, t), () => gpu.TrainStep(x, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SequenceProjection_rows_gemm_and_its_transposed_weight_gradient_match(int batch)
    {
        var x = TestInputs.Floats(batch * 30, 13);
        var t = TestInputs.Floats(batch * 20, 14);
        var cpu = new Models.SequenceProjection(seed: 3) { LearningRate = 0.1f };
        var host = new Models.SequenceProjection(seed: 3) { LearningRate = 0.1f };
        using var gpu = new Models.SequenceProjection.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.SequenceProjection(), batch, new (string, Array)[] { ("x", x), ("target", t) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, t), () => gpu.ComputeGradients(x, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, t), () => gpu.TrainStep(x, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void TokenEmbedding_gather_and_scatter_add_kernels_match(int batch)
    {
        var tokens = TestInputs.Labels(batch * 5, 7, 13);
        var t = TestInputs.Floats(batch * 2, 14);
        var cpu = new Models.TokenEmbedding(seed: 6) { LearningRate = 0.2f };
        var host = new Models.TokenEmbedding(seed: 6) { LearningRate = 0.2f };
        using var gpu = new Models.TokenEmbedding.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.TokenEmbedding(), batch, new (string, Array)[] { ("tokens", tokens), ("target", t) },
            () => cpu.Predict(tokens), () => gpu.Predict(tokens),
            () => cpu.ComputeGradients(tokens, t), () => gpu.ComputeGradients(tokens, t), gpu.ReadLoss,
            () => cpu.TrainStep(tokens, t), () => gpu.TrainStep(tokens, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    public void A_token_outside_the_embedding_throws_on_both_backends_and_nothing_is_read(int bad)
    {
        var tokens = new[] { 1, 2, 3, 4, 5, 6, 0, bad, 1, 2 };
        var cpu = new Models.TokenEmbedding(seed: 6);
        using var gpu = new Models.TokenEmbedding.Gpu(new Models.TokenEmbedding(seed: 6), Device);
        foreach (var run in new Action[] { () => cpu.Predict(tokens), () => gpu.Predict(tokens), () => cpu.ComputeGradients(tokens, new float[4]) })
        {
            var e = Assert.Throws<IndexOutOfRangeException>(run);
            Assert.Contains("Embedding 'embed'", e.Message);
            Assert.Contains($"index {bad} (element 7 of the indices)", e.Message);
            Assert.Contains("rows 0..6", e.Message);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void MaskedSequence_mask_kernel_and_its_gradient_match(int batch)
    {
        var x = TestInputs.Floats(batch * 12, 8);
        var lengths = Enumerable.Range(0, batch).Select(n => (n + 2) % 5).ToArray(); // 2, 3, 4, 0, 1, 2: both ends of 0..4
        var t = TestInputs.Floats(batch * 2, 9);
        var cpu = new MaskedSequence(seed: 4) { LearningRate = 0.2f };
        var host = new MaskedSequence(seed: 4) { LearningRate = 0.2f };
        using var gpu = new MaskedSequence.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.MaskedSequence(), batch, new (string, Array)[] { ("x", x), ("lengths", lengths), ("target", t) },
            () => cpu.Predict(x, lengths), () => gpu.Predict(x, lengths),
            () => cpu.ComputeGradients(x, lengths, t), () => gpu.ComputeGradients(x, lengths, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, lengths, t), () => gpu.TrainStep(x, lengths, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void LstmHead_a_loop_of_launches_and_its_backward_loop_match(int batch)
    {
        var x = TestInputs.Floats(batch * 15, 21);
        var t = TestInputs.Floats(batch * 2, 22);
        var cpu = new Models.LstmHead(seed: 5) { LearningRate = 0.2f };
        var host = new Models.LstmHead(seed: 5) { LearningRate = 0.2f };
        using var gpu = new Models.LstmHead.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.LstmHead(), batch, new (string, Array)[] { ("x", x), ("target", t) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, t), () => gpu.ComputeGradients(x, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, t), () => gpu.TrainStep(x, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void BiGruMean_forward_and_reversed_loops_with_stacked_steps_match(int batch)
    {
        var x = TestInputs.Floats(batch * 15, 23);
        var t = TestInputs.Floats(batch * 2, 24);
        var cpu = new Models.BiGruMean(seed: 6) { LearningRate = 0.2f };
        var host = new Models.BiGruMean(seed: 6) { LearningRate = 0.2f };
        using var gpu = new Models.BiGruMean.Gpu(host, Device);
        Check(cpu, host, ReferenceGraphs.BiGruMean(), batch, new (string, Array)[] { ("x", x), ("target", t) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, t), () => gpu.ComputeGradients(x, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, t), () => gpu.TrainStep(x, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void SharedLayerLoop_twelve_steps_of_one_layer_match(int batch)
    {
        var x = TestInputs.Floats(batch * 4, 25);
        var t = TestInputs.Floats(batch * 4, 26);
        var cpu = new Models.SharedLayerLoop(seed: 7) { LearningRate = 0.1f };
        var host = new Models.SharedLayerLoop(seed: 7) { LearningRate = 0.1f };
        using var gpu = new Models.SharedLayerLoop.Gpu(host, Device);
        // The model is one loop, not 12 unrolled copies: the GPU runs the loop kernel, not a straight line.
        Assert.Contains("Scan", Models.SharedLayerLoop.GraphText);
        Check(cpu, host, ReferenceGraphs.SharedLayerLoop(), batch, new (string, Array)[] { ("x", x), ("target", t) },
            () => cpu.Predict(x), () => gpu.Predict(x),
            () => cpu.ComputeGradients(x, t), () => gpu.ComputeGradients(x, t), gpu.ReadLoss,
            () => cpu.TrainStep(x, t), () => gpu.TrainStep(x, t), gpu.CopyGradientsToHost, gpu.CopyParametersToHost);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-1)]
    public void A_length_outside_the_steps_throws_on_both_backends(int bad)
    {
        var x = TestInputs.Floats(3 * 12, 8);
        var lengths = new[] { 4, bad, 0 };
        var cpu = new MaskedSequence(seed: 4);
        using var gpu = new MaskedSequence.Gpu(new MaskedSequence(seed: 4), Device);
        foreach (var run in new Action[] { () => cpu.Predict(x, lengths), () => gpu.Predict(x, lengths), () => gpu.ComputeGradients(x, lengths, new float[6]) })
        {
            var e = Assert.Throws<IndexOutOfRangeException>(run);
            Assert.Contains($"SequenceMask: length {bad} (element 1 of the lengths) is outside 0..4", e.Message);
        }
    }

    [Fact]
    public void Evaluate_reads_back_the_loss_and_leaves_the_parameters_alone()
    {
        var x = TestInputs.Floats(4 * 12, 8);
        var y = TestInputs.Labels(4, 5, 9);
        var cpu = new SmallMlp(seed: 4);
        using var gpu = new SmallMlp.Gpu(new SmallMlp(seed: 4), Device);
        Assert.Equal(cpu.Evaluate(x, y), gpu.Evaluate(x, y), 5);
    }
}
