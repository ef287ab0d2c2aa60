using System.Runtime.Intrinsics;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// Products with fewer rows than a micro-tile (batch-1 inference) and B transposed, stored [n, k]: a
/// weight kept in its [out, in] layout, such as an RNN's W_hh read through the GEMM's flag inside every
/// step. Each C[i, j] is the dot product of two contiguous rows, four rows of B at a time, 16 lanes of
/// k per instruction; packing B would copy all of it (65,536 floats for an LSTM of 128) to use a sixth
/// of the micro-kernel, 15x slower than this at one row. Sums run over k in 16 lanes then across them,
/// so the last bits can differ from the packed path's k-sequential sums. AVX-512 only (the caller checks).
/// </summary>
internal static unsafe class GemmDot
{
    public static void Rows<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
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
                Four(a, b, b + ldb, b + 2 * ldb, b + 3 * ldb, k, c + j);
            }
            for (; j < n; j++) c[j] = Dot(a, job.B + j * ldb, k);
        }
        GemmStore.EpilogueInPlace(in job, in act, 0, job.M);
    }

    /// <summary>a·b0 .. a·b3 into c[0..3]: four accumulator chains sharing each load of a.</summary>
    private static void Four(float* a, float* b0, float* b1, float* b2, float* b3, int k, float* c)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var x = Vector512.Load(a + p);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + p), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3 + p), s3);
        }
        float t0 = Vector512.Sum(s0), t1 = Vector512.Sum(s1), t2 = Vector512.Sum(s2), t3 = Vector512.Sum(s3);
        for (; p < k; p++)
        {
            float x = a[p];
            t0 += x * b0[p]; t1 += x * b1[p]; t2 += x * b2[p]; t3 += x * b3[p];
        }
        c[0] = t0; c[1] = t1; c[2] = t2; c[3] = t3;
    }

    private static float Dot(float* a, float* b, int k)
    {
        Vector512<float> s = default;
        int p = 0;
        for (; p + 16 <= k; p += 16) s = Vector512.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), s);
        float t = Vector512.Sum(s);
        for (; p < k; p++) t += a[p] * b[p];
        return t;
    }
}
