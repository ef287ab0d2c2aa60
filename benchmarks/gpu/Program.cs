using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Dl;
using Dl.Gpu;
using ILGPU;
using ILGPU.Runtime;

// GPU figures as "name value unit" lines, timed like ../../shared/peers/torch_gpu.py (warm-up, then
// the median of 5 rounds of back-to-back calls closed by one device synchronisation).
//   --device cuda|opencl|cpu-accelerator (cuda)   --quick: small sizes and few repetitions (a smoke run)
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var kind = DeviceKind.Cuda;
bool quick = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (args[i] == "--device" && i + 1 < args.Length)
        kind = args[++i] switch
        {
            "cuda" => DeviceKind.Cuda,
            "opencl" => DeviceKind.OpenCL,
            "cpu-accelerator" => DeviceKind.CpuAccelerator,
            var other => throw new ArgumentException($"--device must be cuda, opencl or cpu-accelerator, got '{other}'"),
        };
    else throw new ArgumentException($"unknown option {args[i]}; options: --device cuda|opencl|cpu-accelerator --quick");
}

GpuDevice device;
try { device = GpuDevice.Create(kind); }
catch (InvalidOperationException e)
{
    Console.Error.WriteLine("gpu benchmark: " + e.Message);
    return 1;
}
using var _ = device;
Console.WriteLine($"# device {device} ({device.Accelerator.AcceleratorType}, {device.Accelerator.NumMultiprocessors} multiprocessors, {device.Accelerator.MemorySize >> 20} MiB)");

// ---- Train step of the 784-128-10 MLP: the batch on the device (as PyTorch's is), then with its upload. ----
foreach (int batch in quick ? new[] { 8 } : new[] { 64, 256, 4096 })
{
    var x = Random(batch * 784, 1);
    var y = Enumerable.Range(0, batch).Select(i => (i * 7) % 10).ToArray();
    var host = new Mnist.MnistMlp(seed: 1) { LearningRate = 0.1f };
    using var gpu = new Mnist.MnistMlp.Gpu(host, device);
    gpu.SetBatch(x, y);
    int reps = quick ? 2 : batch >= 4096 ? 50 : 200;
    double step = Time(() => gpu.TrainStep(), device, reps, quick ? 1 : 10);
    Console.WriteLine($"gpu_mlp_train_step_b{batch} {step * 1e6:F1} us");
    double withUpload = Time(() => gpu.TrainStep(x, y), device, reps, quick ? 1 : 10);
    Console.WriteLine($"gpu_mlp_train_step_upload_b{batch} {withUpload * 1e6:F1} us");
    // The loss after the timed steps, read once: training really happened on the device.
    Console.WriteLine($"# b{batch}: loss after {2 * reps * 5 + 20} steps on one batch {gpu.ReadLoss():F4}");
}

// ---- fp32 GEMM, C = A·B, square: our kernels (TF32 does not exist for them). ----
foreach (int n in quick ? new[] { 96 } : new[] { 1024, 4096 })
{
    var a = Random(n * n, 2);
    var b = Random(n * n, 3);
    using var da = device.Accelerator.Allocate1D(a);
    using var db = device.Accelerator.Allocate1D(b);
    using var dc = device.Accelerator.Allocate1D<float>((long)n * n);
    foreach (var variant in new[] { GemmVariant.Auto, GemmVariant.Tile16, GemmVariant.Block128 })
    {
        int reps = quick ? 1 : n >= 4096 ? 10 : 50;
        double t = Time(() => device.Kernels.Gemm(device.Stream, n, n, n, da.View, n, false, db.View, n, false, dc.View, n, variant: variant),
            device, reps, quick ? 1 : 3);
        string name = variant == GemmVariant.Auto ? "" : "_" + variant.ToString().ToLowerInvariant();
        Console.WriteLine($"gpu_sgemm_{n}{name} {2.0 * n * n * n / t / 1e12:F2} TFLOP/s");
    }
    // Spot-check a few entries against a double dot product.
    device.Synchronize();
    var c = dc.GetAsArray1D();
    double worst = 0;
    for (int s = 0; s < 16; s++)
    {
        int i = (s * 7919) % n, j = (s * 104729) % n;
        double dot = 0;
        for (int k = 0; k < n; k++) dot += (double)a[i * n + k] * b[k * n + j];
        worst = Math.Max(worst, Math.Abs(dot - c[i * n + j]) / Math.Max(1, Math.Abs(dot)));
    }
    Console.WriteLine($"# sgemm {n}: worst relative error of 16 sampled entries {worst:E1}");
}

return 0;

static double Time(Action step, GpuDevice device, int reps, int warm)
{
    for (int i = 0; i < warm; i++) step();
    device.Synchronize();
    var rounds = new double[5];
    for (int r = 0; r < rounds.Length; r++)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) step();
        device.Synchronize();
        rounds[r] = clock.Elapsed.TotalSeconds / reps;
    }
    Array.Sort(rounds);
    return rounds[2];
}

static float[] Random(int count, int seed)
{
    var r = new SeededRandom(seed);
    return Enumerable.Range(0, count).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
}
