using System;
using System.Runtime.InteropServices;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// What a GEMM does to each output element after the product, in this order:
/// v = (Accumulate ? c : 0) + sum; v += Bias[j]; v = activation(v); v *= step(ReluMask[i*LdMask + j]).
/// The activation is any unary operator struct, passed beside the epilogue (<see cref="Gemm.Multiply{TActivation}"/>).
/// </summary>
public readonly ref struct GemmEpilogue
{
    /// <summary>C += A·B instead of C = A·B.</summary>
    public bool Accumulate { get; init; }
    /// <summary>Empty for none; else n values broadcast over the rows.</summary>
    public ReadOnlySpan<float> Bias { get; init; }
    /// <summary>Empty for none; else an m x n matrix (leading dimension <see cref="LdMask"/>) whose sign masks the result: the backward of ReLU.</summary>
    public ReadOnlySpan<float> ReluMask { get; init; }
    public int LdMask { get; init; }
}

/// <summary>
/// Single-precision matrix product C = op(A)·op(B) with a fused epilogue, row-major. Blocked and
/// packed (panels of A and B copied into contiguous, zero-padded scratch so the inner kernel runs
/// on aligned, unit-stride data), an AVX-512 6x32 register-blocked micro-kernel with FMA, and the
/// product cut in fixed parts, one per thread of the <see cref="WorkerPool"/>, when it is large enough to pay for the hand-off.
/// Transposed operands are read in place while packing: no transposed copy is ever made.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>
    /// Work (m·n·k multiply-adds) from which a product is cut by rows or columns in fixed parts, one per
    /// thread (<see cref="GemmSplit"/>; a cut along k waits for <see cref="GemmSplit.DepthSplitThreshold"/>).
    /// A batch-64 MLP's 6.4M products run 1.4-1.7x faster that way. With the bar at 4M, LeNet-5's 3M
    /// weight and input gradients of fc1 ran on one thread while the other core waited.
    /// </summary>
    internal const long SplitThreshold = 2_000_000;

    /// <summary>
    /// Set on a thread while it runs a part of a loop split over the batch's rows (Dl.RowSplit): its
    /// products then run whole on it, never cut (the pool is the row split's anyway, and a cut along k
    /// would make a row's sum depend on how many rows the part has).
    /// </summary>
    [ThreadStatic] internal static bool WholeProducts;

    /// <summary>
    /// C (m x n, leading dimension ldc) = op(A)·op(B) then <paramref name="epilogue"/>, without an activation.
    /// A is m x k (stored k x m when <paramref name="transposeA"/>), B is k x n (stored n x k when <paramref name="transposeB"/>).
    /// </summary>
    public static void Multiply(int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transposeA,
        ReadOnlySpan<float> b, int ldb, bool transposeB,
        Span<float> c, int ldc,
        in GemmEpilogue epilogue = default) =>
        Multiply(m, n, k, a, lda, transposeA, b, ldb, transposeB, c, ldc, in epilogue, default(Identity));

    /// <summary>
    /// C = op(A)·op(B) then <paramref name="epilogue"/> with <paramref name="activation"/> applied after the
    /// bias: any unary operator fuses into the store, specialised per operator type (no switch per element).
    /// </summary>
    public static void Multiply<TActivation>(int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transposeA,
        ReadOnlySpan<float> b, int ldb, bool transposeB,
        Span<float> c, int ldc,
        in GemmEpilogue epilogue, TActivation activation)
        where TActivation : struct, IUnaryOperator
    {
        if (m <= 0 || n <= 0) return;
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k));
        Check(a, transposeA ? k : m, transposeA ? m : k, lda, "a");
        Check(b, transposeB ? n : k, transposeB ? k : n, ldb, "b");
        if (ldc < n || c.Length < (long)(m - 1) * ldc + n)
            throw new ArgumentException($"c: an {m}x{n} matrix with leading dimension {ldc} needs {(long)(m - 1) * ldc + n} values, got {c.Length}");
        if (!epilogue.Bias.IsEmpty && epilogue.Bias.Length < n)
            throw new ArgumentException($"bias: needs {n} values, got {epilogue.Bias.Length}");
        if (!epilogue.ReluMask.IsEmpty && (epilogue.LdMask < n || epilogue.ReluMask.Length < (long)(m - 1) * epilogue.LdMask + n))
            throw new ArgumentException($"mask: an {m}x{n} matrix with leading dimension {epilogue.LdMask} does not fit in {epilogue.ReluMask.Length} values");

        fixed (float* pa = a, pb = b, pc = c, pbias = epilogue.Bias, pmask = epilogue.ReluMask)
        {
            var job = new GemmJob
            {
                M = m, N = n, K = k, A = pa, Lda = lda, TransA = transposeA, B = pb, Ldb = ldb, TransB = transposeB,
                C = pc, Ldc = ldc, Accumulate = epilogue.Accumulate, Bias = epilogue.Bias.IsEmpty ? null : pbias,
                Mask = epilogue.ReluMask.IsEmpty ? null : pmask, LdMask = epilogue.LdMask,
            };
            if (k == 0) { GemmStore.EpilogueOnly(in job, in activation); return; }
            if ((long)m * n * k >= SplitThreshold && !WholeProducts && GemmSplit.TryRun(in job, in activation)) return;
            GemmDriver.Run(in job, in activation);
        }
    }

    private static void Check(ReadOnlySpan<float> x, int rows, int cols, int ld, string name)
    {
        if (ld < cols)
            throw new ArgumentException($"{name}: leading dimension {ld} is smaller than the {cols} columns stored");
        if (rows > 0 && cols > 0 && x.Length < (long)(rows - 1) * ld + cols)
            throw new ArgumentException($"{name}: a stored {rows}x{cols} matrix with leading dimension {ld} needs {(long)(rows - 1) * ld + cols} values, got {x.Length}");
    }
}

/// <summary>One product's operands as raw pointers (the caller keeps them pinned), shareable with the worker.</summary>
internal unsafe struct GemmJob
{
    public int M, N, K, Lda, Ldb, Ldc, LdMask;
    public float* A, B, C, Bias, Mask;
    public bool TransA, TransB, Accumulate;

    public readonly float AAt(int i, int p) => TransA ? A[(long)p * Lda + i] : A[(long)i * Lda + p];
    public readonly float BAt(int p, int j) => TransB ? B[(long)j * Ldb + p] : B[(long)p * Ldb + j];
}
