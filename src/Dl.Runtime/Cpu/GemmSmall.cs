using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// Products with fewer rows than a micro-tile (m &lt; 6: batch-1 inference), B plain and C
/// overwritten. Each row of C is a sum of k scaled rows of B, accumulated eight vectors (128 columns
/// at AVX-512; twelve, 96 columns, at 256 bits and 48 at 128, where x86 has 16 registers) or one
/// vector at a time in registers: packing would copy all of B to use a sixth of the kernel, this
/// streams B once. One body over the width (<see cref="ISimdWidth{TV}"/>); the caller checks that
/// some width is accelerated.
/// </summary>
// The stack lanes are stored before they are read: no zeroing per call.
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static unsafe class GemmSmall
{
    public static void Rows<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
    {
        if (Vector512.IsHardwareAccelerated) Rows<W512, Vector512<float>>(in job);
        else if (Vector256.IsHardwareAccelerated) Rows<W256, Vector256<float>>(in job);
        else if (Avx.IsSupported) Rows<W256Avx, Vector256<float>>(in job);
        else Rows<W128, Vector128<float>>(in job);
        GemmStore.EpilogueInPlace(in job, in act, 0, job.M);
    }

    /// <summary>Whether passes of twelve vectors pay: 16 vector registers (x86 without AVX-512), where eight chains are too few.</summary>
    private static bool Wide<TV>() where TV : struct => typeof(TV) != typeof(Vector512<float>) && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    private static void Rows<TW, TV>(in GemmJob job) where TW : struct, ISimdWidth<TV> where TV : struct
    {
        int w = TW.Lanes;
        long aStep = job.TransA ? job.Lda : 1, ldb = job.Ldb;
        int n = job.N, k = job.K;
        for (int i = 0; i < job.M; i++)
        {
            float* a = job.TransA ? job.A + i : job.A + (long)i * job.Lda;
            float* c = job.C + (long)i * job.Ldc;
            int j = 0;
            // Twelve vectors a pass where there are no more than 16 registers (AVX2, SSE): twelve FMA chains
            // rather than eight (in L1, 64 x 96 of B ran 1.15x the rate of 64 x 64) and fewer passes over B's
            // rows (batch-1 MLP 784 -> 128 at 256 bits: 12 + 4 vectors, 2.8 us, against 8 + 8, 3.1-3.3 us).
            if (Wide<TV>())
                for (; j + 12 * w <= n; j += 12 * w) Columns<TW, TV, C12>(a, aStep, job.B + j, ldb, k, c + j);
            for (; j + 8 * w <= n; j += 8 * w) Columns<TW, TV, C8>(a, aStep, job.B + j, ldb, k, c + j);
            // The whole vectors left (120 columns at AVX-512: seven) in one pass too. One chain per vector,
            // taken one after another, waited on the FMA's latency at every step: 5 of LeNet-5's 21 us at batch 1.
            switch ((n - j) / w)
            {
                case 7: Columns<TW, TV, C7>(a, aStep, job.B + j, ldb, k, c + j); break;
                case 6: Columns<TW, TV, C6>(a, aStep, job.B + j, ldb, k, c + j); break;
                case 5: Columns<TW, TV, C5>(a, aStep, job.B + j, ldb, k, c + j); break;
                case 4: Columns<TW, TV, C4>(a, aStep, job.B + j, ldb, k, c + j); break;
                case 3: Columns<TW, TV, C3>(a, aStep, job.B + j, ldb, k, c + j); break;
                case 2: Columns<TW, TV, C2>(a, aStep, job.B + j, ldb, k, c + j); break;
                case 1: Columns<TW, TV, C1>(a, aStep, job.B + j, ldb, k, c + j); break;
            }
            j += (n - j) / w * w;
            if (j < n && j + w <= ldb + n) { NarrowTail<TW, TV>(a, aStep, job.B + j, ldb, k, n - j, c + j); j = n; }
            for (; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++) s += a[p * aStep] * job.B[p * ldb + j];
                c[j] = s;
            }
        }
    }

    /// <summary>
    /// The last cols &lt; Lanes columns (a 10-class output layer at AVX-512): full-vector loads of every
    /// row but the last stay inside B (the caller checked j + Lanes &lt;= ldb + n), the extra lanes are
    /// dropped, and the last row is added lane by lane so nothing is read past B's end.
    /// </summary>
    private static void NarrowTail<TW, TV>(float* a, long aStep, float* b, long ldb, int k, int cols, float* c) where TW : struct, ISimdWidth<TV> where TV : struct
    {
        TV s = default, t = default;   // two chains (even and odd steps), as in Columns
        int p = 0;
        for (; p + 2 < k; p += 2, b += 2 * ldb)
        {
            s = TW.MulAdd(TW.SplatAt(a + p * aStep), TW.Load(b), s);
            t = TW.MulAdd(TW.SplatAt(a + (p + 1) * aStep), TW.Load(b + ldb), t);
        }
        for (; p < k - 1; p++, b += ldb) s = TW.MulAdd(TW.SplatAt(a + p * aStep), TW.Load(b), s);
        s = TW.Add(s, t);
        float* lanes = stackalloc float[16];
        TW.Store(s, lanes);
        float last = k > 0 ? a[(k - 1) * aStep] : 0f;
        for (int q = 0; q < cols; q++) c[q] = k > 0 ? lanes[q] + last * b[q] : 0f;
    }

    /// <summary>
    /// TN (1-12) vectors of columns of one row, B read once. Fewer than four vectors also split k in two
    /// (even and odd steps, added at the end), so at least two accumulator chains are in flight: one chain
    /// would wait out the FMA's latency (4 cycles) at every step.
    /// </summary>
    private static void Columns<TW, TV, TN>(float* a, long aStep, float* b, long ldb, int k, float* c)
        where TW : struct, ISimdWidth<TV> where TV : struct where TN : struct, IConst
    {
        int w = TW.Lanes, nv = TN.Value;
        bool split = nv < 4;
        TV s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        TV s8 = default, s9 = default, s10 = default, s11 = default;
        TV t0 = default, t1 = default, t2 = default;
        int p = 0;
        if (split)
            for (; p + 1 < k; p += 2, b += 2 * ldb)
            {
                TV x = TW.SplatAt(a + p * aStep), y = TW.SplatAt(a + (p + 1) * aStep);
                s0 = TW.MulAdd(x, TW.Load(b), s0); t0 = TW.MulAdd(y, TW.Load(b + ldb), t0);
                if (nv > 1) { s1 = TW.MulAdd(x, TW.Load(b + w), s1); t1 = TW.MulAdd(y, TW.Load(b + ldb + w), t1); }
                if (nv > 2) { s2 = TW.MulAdd(x, TW.Load(b + 2 * w), s2); t2 = TW.MulAdd(y, TW.Load(b + ldb + 2 * w), t2); }
            }
        for (; p < k; p++, b += ldb)
        {
            var x = TW.SplatAt(a + p * aStep);
            s0 = TW.MulAdd(x, TW.Load(b), s0);
            if (nv > 1) s1 = TW.MulAdd(x, TW.Load(b + w), s1);
            if (nv > 2) s2 = TW.MulAdd(x, TW.Load(b + 2 * w), s2);
            if (nv > 3) s3 = TW.MulAdd(x, TW.Load(b + 3 * w), s3);
            if (nv > 4) s4 = TW.MulAdd(x, TW.Load(b + 4 * w), s4);
            if (nv > 5) s5 = TW.MulAdd(x, TW.Load(b + 5 * w), s5);
            if (nv > 6) s6 = TW.MulAdd(x, TW.Load(b + 6 * w), s6);
            if (nv > 7) s7 = TW.MulAdd(x, TW.Load(b + 7 * w), s7);
            if (nv > 8) s8 = TW.MulAdd(x, TW.Load(b + 8 * w), s8);
            if (nv > 9) s9 = TW.MulAdd(x, TW.Load(b + 9 * w), s9);
            if (nv > 10) s10 = TW.MulAdd(x, TW.Load(b + 10 * w), s10);
            if (nv > 11) s11 = TW.MulAdd(x, TW.Load(b + 11 * w), s11);
        }
        if (split) { s0 = TW.Add(s0, t0); s1 = TW.Add(s1, t1); s2 = TW.Add(s2, t2); }
        TW.Store(s0, c);
        if (nv > 1) TW.Store(s1, c + w);
        if (nv > 2) TW.Store(s2, c + 2 * w);
        if (nv > 3) TW.Store(s3, c + 3 * w);
        if (nv > 4) TW.Store(s4, c + 4 * w);
        if (nv > 5) TW.Store(s5, c + 5 * w);
        if (nv > 6) TW.Store(s6, c + 6 * w);
        if (nv > 7) TW.Store(s7, c + 7 * w);
        if (nv > 8) TW.Store(s8, c + 8 * w);
        if (nv > 9) TW.Store(s9, c + 9 * w);
        if (nv > 10) TW.Store(s10, c + 10 * w);
        if (nv > 11) TW.Store(s11, c + 11 * w);
    }
}
