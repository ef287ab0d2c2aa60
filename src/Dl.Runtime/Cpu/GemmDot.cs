using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// Products with fewer rows than a micro-tile (batch-1 inference) and B transposed, stored [n, k]: a
/// weight kept in its [out, in] layout, such as an RNN's W_hh read through the GEMM's flag inside every
/// step. Each C[i, j] is the dot product of two contiguous rows; packing B would copy all of it (65,536
/// floats for an LSTM of 128) to use a sixth of the micro-kernel, 15x slower than this at one row.
/// Sixteen rows of B go at a time, 16 lanes of k per instruction, into 16 accumulators that one
/// transpose-and-add tree (<see cref="Reduce16"/>) turns into one vector of 16 outputs: a horizontal sum
/// per output made 1x512x128 about 1.4x slower (the batch-1 LSTM regression, issue 12). B's loads start
/// on a cache line where its rows allow it (see <see cref="Sixteen"/>).
/// Sums run over k in 16 lanes then across them, so the last bits can differ from the packed path's
/// k-sequential sums. Without AVX-512 (no 16-lane tree) every output goes through <see cref="Four"/>,
/// generic over the width: four rows of B per load of a, then a horizontal sum each. The caller checks
/// that some width is accelerated.
/// </summary>
internal static unsafe class GemmDot
{
    /// <summary>Rows of B (outputs) reduced together: one per lane of a Vector512.</summary>
    public const int Group = 16;

    public static void Rows<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
    {
        if (Vector512.IsHardwareAccelerated) Rows512(in job);
        else if (Vector256.IsHardwareAccelerated) RowsByFour<W256, Vector256<float>>(in job);
        else if (Avx.IsSupported) RowsByFour<W256Avx, Vector256<float>>(in job);
        else RowsByFour<W128, Vector128<float>>(in job);
        GemmStore.EpilogueInPlace(in job, in act, 0, job.M);   // once per output, after every dot product
    }

    private static void Rows512(in GemmJob job)
    {
        Debug.Assert(Avx512F.IsSupported);
        int n = job.N, k = job.K;
        long ldb = job.Ldb;
        for (int i = 0; i < job.M; i++)
        {
            float* a = job.A + (long)i * job.Lda, c = job.C + (long)i * job.Ldc;
            if (n >= Group)
            {
                for (int j = 0; j + Group <= n; j += Group) Sixteen(a, job.B + j * ldb, ldb, k, c + j);
                // The ragged end as one more group overlapping the last: its outputs come out bit for bit
                // as before (every lane goes through the same tree), and the epilogue runs after all of them.
                if (n % Group != 0) Sixteen(a, job.B + (n - Group) * ldb, ldb, k, c + n - Group);
            }
            else
            {
                int j = 0;
                for (; j + 4 <= n; j += 4)
                {
                    float* b = job.B + j * ldb;
                    Four<W512, Vector512<float>>(a, b, b + ldb, b + 2 * ldb, b + 3 * ldb, k, c + j);
                }
                for (; j < n; j++) c[j] = Dot<W512, Vector512<float>>(a, job.B + j * ldb, k);
            }
        }
    }

    /// <summary>Every output four at a time through <see cref="Four"/>, the last n % 4 one by one.</summary>
    private static void RowsByFour<TW, TV>(in GemmJob job) where TW : struct, ISimdWidth<TV> where TV : struct
    {
        int n = job.N, k = job.K;
        long ldb = job.Ldb;
        for (int i = 0; i < job.M; i++)
        {
            float* a = job.A + (long)i * job.Lda, c = job.C + (long)i * job.Ldc;
            int j = 0;
            for (; j + 4 <= n; j += 4)
            {
                float* b = job.B + j * ldb;
                Four<TW, TV>(a, b, b + ldb, b + 2 * ldb, b + 3 * ldb, k, c + j);
            }
            for (; j < n; j++) c[j] = Dot<TW, TV>(a, job.B + j * ldb, k);
        }
    }

    /// <summary>a·b[q·ldb ..] for q in 0..15 into c[0..15]; the 16 loads of a chunk share one load of a.</summary>
    private static void Sixteen(float* a, float* b, long ldb, int k, float* c)
    {
        // Four row pointers and three offsets: the 16 rows' addresses fit the general registers.
        float* r0 = b, r4 = b + 4 * ldb, r8 = b + 8 * ldb, r12 = b + 12 * ldb;
        long l1 = ldb, l2 = 2 * ldb, l3 = 3 * ldb;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
        // The pointers advance so each load is [row + offset]: no address arithmetic inside the loop.
        // Rows 64 bytes apart in alignment (ldb a multiple of 16) start their vector loop where B's
        // rows start a cache line: a misaligned 64-byte load touches two lines, and B streams from L2
        // (1x512x128: 2.8 us aligned, 4.5 us at any other offset). The skipped head goes with the tail.
        int p = ldb % 16 == 0 ? (int)((64 - ((nuint)b & 63)) & 63) / sizeof(float) : 0;
        if (p + 16 > k) p = 0;
        int head = p;
        r0 += p; r4 += p; r8 += p; r12 += p;
        float* x0 = a + p;
        for (; p + 16 <= k; p += 16, x0 += 16, r0 += 16, r4 += 16, r8 += 16, r12 += 16)
        {
            var x = Vector512.Load(x0);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r0), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r0 + l1), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r0 + l2), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r0 + l3), s3);
            s4 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r4), s4);
            s5 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r4 + l1), s5);
            s6 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r4 + l2), s6);
            s7 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r4 + l3), s7);
            s8 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r8), s8);
            s9 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r8 + l1), s9);
            s10 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r8 + l2), s10);
            s11 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r8 + l3), s11);
            s12 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r12), s12);
            s13 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r12 + l1), s13);
            s14 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r12 + l2), s14);
            s15 = Vector512.FusedMultiplyAdd(x, Vector512.Load(r12 + l3), s15);
        }
        if (head > 0 || p < k)
        {
            // The skipped head and k's last k % 16 steps as masked loads into the same accumulators (a
            // masked-off lane reads nothing, so nothing past a row's end is touched).
            var zero = Vector512<float>.Zero;
            var mh = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(head)).AsSingle();
            var mt = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(k - p)).AsSingle();
            var xh = Avx512F.MaskLoad(a, mh, zero);
            var xt = Avx512F.MaskLoad(x0, mt, zero);
            float* h0 = b, h4 = b + 4 * ldb, h8 = b + 8 * ldb, h12 = b + 12 * ldb;
            s0 = Edge(s0, xh, h0, mh, xt, r0, mt);
            s1 = Edge(s1, xh, h0 + l1, mh, xt, r0 + l1, mt);
            s2 = Edge(s2, xh, h0 + l2, mh, xt, r0 + l2, mt);
            s3 = Edge(s3, xh, h0 + l3, mh, xt, r0 + l3, mt);
            s4 = Edge(s4, xh, h4, mh, xt, r4, mt);
            s5 = Edge(s5, xh, h4 + l1, mh, xt, r4 + l1, mt);
            s6 = Edge(s6, xh, h4 + l2, mh, xt, r4 + l2, mt);
            s7 = Edge(s7, xh, h4 + l3, mh, xt, r4 + l3, mt);
            s8 = Edge(s8, xh, h8, mh, xt, r8, mt);
            s9 = Edge(s9, xh, h8 + l1, mh, xt, r8 + l1, mt);
            s10 = Edge(s10, xh, h8 + l2, mh, xt, r8 + l2, mt);
            s11 = Edge(s11, xh, h8 + l3, mh, xt, r8 + l3, mt);
            s12 = Edge(s12, xh, h12, mh, xt, r12, mt);
            s13 = Edge(s13, xh, h12 + l1, mh, xt, r12 + l1, mt);
            s14 = Edge(s14, xh, h12 + l2, mh, xt, r12 + l2, mt);
            s15 = Edge(s15, xh, h12 + l3, mh, xt, r12 + l3, mt);
        }
        var sum = Reduce16(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15);
        sum.Store(c);
    }

    /// <summary>s + xh·row[head lanes] + xt·row[tail lanes], both loads masked (a zero mask reads nothing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Edge(Vector512<float> s, Vector512<float> xh, float* head, Vector512<float> mh, Vector512<float> xt, float* tail, Vector512<float> mt) =>
        Vector512.FusedMultiplyAdd(xt, Avx512F.MaskLoad(tail, mt, Vector512<float>.Zero), Vector512.FusedMultiplyAdd(xh, Avx512F.MaskLoad(head, mh, Vector512<float>.Zero), s));

    /// <summary>
    /// Lane q of the result is the sum of sq's 16 lanes. Within 128-bit blocks, unpacks pair four vectors
    /// into one whose block holds each one's block sum; then two block shuffles add the four blocks. Every
    /// lane takes the same tree ((e0+e2)+(e1+e3) per block, then (B0+B2)+(B1+B3)): 30 shuffles and 15
    /// adds for 16 outputs, against about 6 dependent steps for each output reduced alone.
    /// </summary>
    private static Vector512<float> Reduce16(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7,
        Vector512<float> s8, Vector512<float> s9, Vector512<float> s10, Vector512<float> s11,
        Vector512<float> s12, Vector512<float> s13, Vector512<float> s14, Vector512<float> s15)
    {
        Vector512<float> u0 = Quad(s0, s1, s2, s3), u1 = Quad(s4, s5, s6, s7), u2 = Quad(s8, s9, s10, s11), u3 = Quad(s12, s13, s14, s15);
        // Blocks [u0_0+u0_2, u0_1+u0_3, u1_0+u1_2, u1_1+u1_3], then [Σu0, Σu1, Σu2, Σu3].
        var v01 = Avx512F.Shuffle4x128(u0, u1, 0x44) + Avx512F.Shuffle4x128(u0, u1, 0xEE);
        var v23 = Avx512F.Shuffle4x128(u2, u3, 0x44) + Avx512F.Shuffle4x128(u2, u3, 0xEE);
        return Avx512F.Shuffle4x128(v01, v23, 0x88) + Avx512F.Shuffle4x128(v01, v23, 0xDD);
    }

    /// <summary>Block q of the result is [Σ a's block q, Σ b's, Σ c's, Σ d's] (four lanes each).</summary>
    private static Vector512<float> Quad(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        var ab = Avx512F.UnpackLow(a, b) + Avx512F.UnpackHigh(a, b);   // [a0+a2, b0+b2, a1+a3, b1+b3] per block
        var cd = Avx512F.UnpackLow(c, d) + Avx512F.UnpackHigh(c, d);
        // As pairs of floats: [(a02, b02), (c02, d02)] + [(a13, b13), (c13, d13)], added as floats.
        return Avx512F.UnpackLow(ab.AsDouble(), cd.AsDouble()).AsSingle() + Avx512F.UnpackHigh(ab.AsDouble(), cd.AsDouble()).AsSingle();
    }

    /// <summary>a·b0 .. a·b3 into c[0..3]: four accumulator chains sharing each load of a, a horizontal sum each.</summary>
    private static void Four<TW, TV>(float* a, float* b0, float* b1, float* b2, float* b3, int k, float* c) where TW : struct, ISimdWidth<TV> where TV : struct
    {
        int w = TW.Lanes;
        TV s0 = default, s1 = default, s2 = default, s3 = default;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            var x = TW.Load(a + p);
            s0 = TW.MulAdd(x, TW.Load(b0 + p), s0);
            s1 = TW.MulAdd(x, TW.Load(b1 + p), s1);
            s2 = TW.MulAdd(x, TW.Load(b2 + p), s2);
            s3 = TW.MulAdd(x, TW.Load(b3 + p), s3);
        }
        float t0 = TW.Sum(s0), t1 = TW.Sum(s1), t2 = TW.Sum(s2), t3 = TW.Sum(s3);
        for (; p < k; p++)
        {
            float x = a[p];
            t0 += x * b0[p]; t1 += x * b1[p]; t2 += x * b2[p]; t3 += x * b3[p];
        }
        c[0] = t0; c[1] = t1; c[2] = t2; c[3] = t3;
    }

    private static float Dot<TW, TV>(float* a, float* b, int k) where TW : struct, ISimdWidth<TV> where TV : struct
    {
        int w = TW.Lanes;
        TV s = default;
        int p = 0;
        for (; p + w <= k; p += w) s = TW.MulAdd(TW.Load(a + p), TW.Load(b + p), s);
        float t = TW.Sum(s);
        for (; p < k; p++) t += a[p] * b[p];
        return t;
    }
}
