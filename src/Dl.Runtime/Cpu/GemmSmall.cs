using System.Runtime.Intrinsics;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// Products with fewer rows than a micro-tile (m &lt; 6: batch-1 inference), B plain and C
/// overwritten. Each row of C is a sum of k scaled rows of B, accumulated 128 or 16 columns at a
/// time in registers: packing would copy all of B to use a sixth of the kernel, this streams B
/// once. AVX-512 only (the caller checks).
/// </summary>
internal static unsafe class GemmSmall
{
    public static void Rows<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
    {
        long aStep = job.TransA ? job.Lda : 1, ldb = job.Ldb;
        int n = job.N, k = job.K;
        for (int i = 0; i < job.M; i++)
        {
            float* a = job.TransA ? job.A + i : job.A + (long)i * job.Lda;
            float* c = job.C + (long)i * job.Ldc;
            int j = 0;
            for (; j + 128 <= n; j += 128) Columns128(a, aStep, job.B + j, ldb, k, c + j);
            for (; j + 16 <= n; j += 16)
            {
                Vector512<float> s = default;
                float* b = job.B + j;
                for (int p = 0; p < k; p++, b += ldb) s = Vector512.FusedMultiplyAdd(Vector512.Create(a[p * aStep]), Vector512.Load(b), s);
                s.Store(c + j);
            }
            if (j < n && j + 16 <= ldb + n) { NarrowTail(a, aStep, job.B + j, ldb, k, n - j, c + j); j = n; }
            for (; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++) s += a[p * aStep] * job.B[p * ldb + j];
                c[j] = s;
            }
        }
        GemmStore.EpilogueInPlace(in job, in act, 0, job.M);
    }

    /// <summary>
    /// The last cols &lt; 16 columns (a 10-class output layer): full 16-wide loads of every row but the
    /// last stay inside B (the caller checked j + 16 &lt;= ldb + n), the extra lanes are dropped, and
    /// the last row is added lane by lane so nothing is read past B's end.
    /// </summary>
    private static void NarrowTail(float* a, long aStep, float* b, long ldb, int k, int cols, float* c)
    {
        Vector512<float> s = default;
        for (int p = 0; p < k - 1; p++, b += ldb) s = Vector512.FusedMultiplyAdd(Vector512.Create(a[p * aStep]), Vector512.Load(b), s);
        float* lanes = stackalloc float[16];
        s.Store(lanes);
        float last = k > 0 ? a[(k - 1) * aStep] : 0f;
        for (int q = 0; q < cols; q++) c[q] = k > 0 ? lanes[q] + last * b[q] : 0f;
    }

    /// <summary>128 columns of one row: eight independent accumulator chains, B read once.</summary>
    private static void Columns128(float* a, long aStep, float* b, long ldb, int k, float* c)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (int p = 0; p < k; p++, b += ldb)
        {
            var x = Vector512.Create(a[p * aStep]);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 32), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 48), s3);
            s4 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 64), s4);
            s5 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 80), s5);
            s6 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 96), s6);
            s7 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 112), s7);
        }
        s0.Store(c); s1.Store(c + 16); s2.Store(c + 32); s3.Store(c + 48);
        s4.Store(c + 64); s5.Store(c + 80); s6.Store(c + 96); s7.Store(c + 112);
    }
}
