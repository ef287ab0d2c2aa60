using System;
using System.Collections.Generic;
using Dl.Operators;
using Dl.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu;

/// <summary>Which GEMM kernel runs a product.</summary>
public enum GemmVariant
{
    /// <summary>By size: 128x128 register-blocked groups for large products, 16x16 tiles otherwise.</summary>
    Auto,
    Tile16,
    Block128,
}

/// <summary>
/// The hand-written kernels of the GPU backend for one device, each compiled on first use into a
/// typed launcher and kept for the device's life (loading per call is the classic slowdown).
/// Every method only enqueues work on the given stream: none waits for the device.
/// </summary>
public sealed partial class GpuKernels : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noneBuffer;
    private readonly ArrayView<float> _none;

    /// <summary>The GEMM kernels loaded so far, per activation operator type: (Tile16, Block128) launchers.</summary>
    private readonly Dictionary<Type, (Delegate? Tile16, Delegate? Block128)> _gemms = new();
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int>? _softmax, _logSoftmax;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float, int, int>? _crossEntropy;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _meanLoss;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int>? _sumPerThread, _broadcast, _transpose;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int>? _sumPerGroup;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, float>? _sgd;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, float>? _fill;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>>? _copy;
    private Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<float>, int>? _oneHot;

    internal GpuKernels(GpuDevice device)
    {
        _accelerator = device.Accelerator;
        _noneBuffer = _accelerator.Allocate1D<float>(1); // stands in for an absent bias or mask
        _none = _noneBuffer.View;
    }

    /// <summary>
    /// C[m,n] = op(A)·op(B) with the fused epilogue of the CPU GEMM: v += bias[j]; v *= step(mask[i·ldMask + j]).
    /// A transposed operand is indexed in place, never copied.
    /// </summary>
    public void Gemm(AcceleratorStream stream, int m, int n, int k, ArrayView<float> a, int lda, bool transposeA, ArrayView<float> b, int ldb, bool transposeB,
        ArrayView<float> c, int ldc, ArrayView<float> bias = default, ArrayView<float> mask = default, int ldMask = 0, GemmVariant variant = GemmVariant.Auto) =>
        Gemm(stream, m, n, k, a, lda, transposeA, b, ldb, transposeB, c, ldc, default(Identity), bias, mask, ldMask, variant);

    /// <summary>
    /// The product with <paramref name="activation"/> applied after the bias: any unary operator struct
    /// (the CPU's own, its float overload compiled by ILGPU), a kernel loaded once per operator type.
    /// </summary>
    public void Gemm<TActivation>(AcceleratorStream stream, int m, int n, int k, ArrayView<float> a, int lda, bool transposeA, ArrayView<float> b, int ldb, bool transposeB,
        ArrayView<float> c, int ldc, TActivation activation, ArrayView<float> bias = default,
        ArrayView<float> mask = default, int ldMask = 0, GemmVariant variant = GemmVariant.Auto)
        where TActivation : struct, IUnaryOperator
    {
        var p = new GemmArgs
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transposeA ? 1 : 0, TransB = transposeB ? 1 : 0,
            HasBias = bias.IsValid ? 1 : 0, HasMask = mask.IsValid ? 1 : 0, LdMask = ldMask,
        };
        var biasView = bias.IsValid ? bias : _none;
        var maskView = mask.IsValid ? mask : _none;
        if (variant == GemmVariant.Auto)
            // A 128x128 block pays once there are enough of them to fill the device; small layers
            // (a batch of 64 through a 128-wide layer) get many 16x16 tiles instead.
            variant = (long)m * n >= 512L * 512 && k >= 64 ? GemmVariant.Block128 : GemmVariant.Tile16;
        _gemms.TryGetValue(typeof(TActivation), out var loaded);
        if (variant == GemmVariant.Block128)
        {
            var block128 = (Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, TActivation>?)loaded.Block128;
            if (block128 is null)
            {
                block128 = _accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, TActivation>(GemmKernels.Block128<TActivation>);
                _gemms[typeof(TActivation)] = (loaded.Tile16, block128);
            }
            var grid = new Index2D((n + GemmKernels.B - 1) / GemmKernels.B, (m + GemmKernels.B - 1) / GemmKernels.B);
            block128(stream, new KernelConfig(grid, new Index2D(16, 16)), a, b, c, biasView, maskView, p, activation);
        }
        else
        {
            var tile16 = (Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, TActivation>?)loaded.Tile16;
            if (tile16 is null)
            {
                tile16 = _accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, TActivation>(GemmKernels.Tile16<TActivation>);
                _gemms[typeof(TActivation)] = (tile16, loaded.Block128);
            }
            var grid = new Index2D((n + GemmKernels.T - 1) / GemmKernels.T, (m + GemmKernels.T - 1) / GemmKernels.T);
            tile16(stream, new KernelConfig(grid, new Index2D(GemmKernels.T, GemmKernels.T)), a, b, c, biasView, maskView, p, activation);
        }
    }

    /// <summary>y = softmax over each row of x [rows, cols].</summary>
    public void Softmax(AcceleratorStream stream, ArrayView<float> x, int rows, int cols, ArrayView<float> y)
    {
        _softmax ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.Softmax);
        _softmax(stream, rows, x, y, cols);
    }

    /// <summary>y = log-softmax over each row of x [rows, cols].</summary>
    public void LogSoftmax(AcceleratorStream stream, ArrayView<float> x, int rows, int cols, ArrayView<float> y)
    {
        _logSoftmax ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.LogSoftmax);
        _logSoftmax(stream, rows, x, y, cols);
    }

    /// <summary>
    /// loss[0] = mean cross-entropy of softmax(logits) against labels; when dLogits is valid, also
    /// dLogits = (softmax - onehot)·scale. Either output may be absent (default view).
    /// </summary>
    public void SoftmaxCrossEntropy(AcceleratorStream stream, ArrayView<float> logits, ArrayView<int> labels, int rows, int cols,
        ArrayView<float> loss, ArrayView<float> dLogits, float scale)
    {
        _crossEntropy ??= _accelerator.LoadKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float, int, int>(RowKernels.SoftmaxCrossEntropy);
        _crossEntropy(stream, new KernelConfig(1, RowKernels.GroupSize), logits, labels, loss.IsValid ? loss : _none, dLogits.IsValid ? dLogits : _none,
            rows, cols, scale, loss.IsValid ? 1 : 0, dLogits.IsValid ? 1 : 0);
    }

    /// <summary>y[0] = mean((a - b)²) over <paramref name="count"/> values.</summary>
    public void MeanSquaredError(AcceleratorStream stream, ArrayView<float> a, ArrayView<float> b, int count, ArrayView<float> y) => MeanLoss(stream, a, b, count, y, 0);

    /// <summary>y[0] = mean binary cross-entropy of logits a against targets b.</summary>
    public void BinaryCrossEntropy(AcceleratorStream stream, ArrayView<float> a, ArrayView<float> b, int count, ArrayView<float> y) => MeanLoss(stream, a, b, count, y, 1);

    private void MeanLoss(AcceleratorStream stream, ArrayView<float> a, ArrayView<float> b, int count, ArrayView<float> y, int kind)
    {
        _meanLoss ??= _accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(RowKernels.MeanLoss);
        _meanLoss(stream, new KernelConfig(1, RowKernels.GroupSize), a, b, y, count, kind);
    }

    /// <summary>y[o, i] = Σ_r x[o, r, i] for x viewed as [outer, reduce, inner].</summary>
    public void Sum(AcceleratorStream stream, ArrayView<float> x, int outer, int reduce, int inner, ArrayView<float> y)
    {
        int outputs = outer * inner;
        if (reduce > 256 && inner < 32)
        {
            _sumPerGroup ??= _accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int>(ReduceKernels.SumPerGroup);
            _sumPerGroup(stream, new KernelConfig(outputs, ReduceKernels.GroupSize), x, y, reduce, inner);
        }
        else
        {
            _sumPerThread ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ReduceKernels.SumPerThread);
            _sumPerThread(stream, outputs, x, y, reduce, inner);
        }
    }

    /// <summary>y[o, r, i] = x[o, i] for y viewed as [outer, reduce, inner].</summary>
    public void Broadcast(AcceleratorStream stream, ArrayView<float> x, int outer, int reduce, int inner, ArrayView<float> y)
    {
        _broadcast ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ReduceKernels.Broadcast);
        _broadcast(stream, outer * reduce * inner, x, y, reduce, inner);
    }

    /// <summary>y = xᵀ for x [rows, cols].</summary>
    public void Transpose(AcceleratorStream stream, ArrayView<float> x, int rows, int cols, ArrayView<float> y)
    {
        _transpose ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ReduceKernels.Transpose);
        _transpose(stream, rows * cols, x, y, rows, cols);
    }

    /// <summary>p -= rate·g, elementwise over the whole parameter array.</summary>
    public void Sgd(AcceleratorStream stream, ArrayView<float> parameters, ArrayView<float> gradients, float rate)
    {
        if (parameters.Length == 0) return;
        _sgd ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(ReduceKernels.Sgd);
        _sgd(stream, parameters.IntLength, parameters, gradients, rate);
    }

    public void Fill(AcceleratorStream stream, ArrayView<float> y, float value)
    {
        if (y.Length == 0) return;
        _fill ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float>(ReduceKernels.Fill);
        _fill(stream, y.IntLength, y, value);
    }

    public void Copy(AcceleratorStream stream, ArrayView<float> x, ArrayView<float> y)
    {
        if (y.Length == 0) return;
        _copy ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ReduceKernels.Copy);
        _copy(stream, y.IntLength, x, y);
    }

    /// <summary>y [rows, classes] = one-hot rows of integer labels.</summary>
    public void OneHot(AcceleratorStream stream, ArrayView<int> labels, int rows, int classes, ArrayView<float> y)
    {
        _oneHot ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, int>(ReduceKernels.OneHot);
        _oneHot(stream, rows * classes, labels, y, classes);
    }

    public void Dispose() => _noneBuffer.Dispose();
}
