using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

using Dl.Operators;

namespace Dl.Cpu;

internal static unsafe partial class DirectConv
{
    /// <summary>Vector registers at width TW: 32 with AVX-512 and on ARM64, 16 with AVX2 or SSE.</summary>
    private static int Registers<TW, TV>() where TW : struct, ISimdWidth<TV> where TV : struct =>
        typeof(TV) == typeof(Vector512<float>) || AdvSimd.IsSupported ? 32 : 16;

    private static void RowPairBlock<TW, TV, TAct>(in RowJob job, int block, in TAct activation)
        where TW : struct, ISimdWidth<TV> where TV : struct where TAct : struct, IUnaryOperator
    {
        switch (block)
        {
            case 8: RowPairs<TW, TV, C8, TAct>(in job, in activation); break;
            case 7: RowPairs<TW, TV, C7, TAct>(in job, in activation); break;
            case 6: RowPairs<TW, TV, C6, TAct>(in job, in activation); break;
            case 5: RowPairs<TW, TV, C5, TAct>(in job, in activation); break;
            case 4: RowPairs<TW, TV, C4, TAct>(in job, in activation); break;
            case 3: RowPairs<TW, TV, C3, TAct>(in job, in activation); break;
            case 2: RowPairs<TW, TV, C2, TAct>(in job, in activation); break;
            default: RowPairs<TW, TV, C1, TAct>(in job, in activation); break;
        }
    }

    /// <summary>
    /// <see cref="Rows{TW, TV, TB, TAct}"/> two output rows at a time: each broadcast weight feeds an FMA
    /// on both rows' input vectors, so there are half as many broadcasts per FMA and twice the chains
    /// (LeNet conv1's six channels were six FMA chains, too few to fill two pipes of four cycles'
    /// latency). Both rows run the union of their taps on data rows: the extra ones read zero padding.
    /// An odd last row is left to Rows.
    /// </summary>
    private static void RowPairs<TW, TV, TB, TAct>(in RowJob j, in TAct activation)
        where TW : struct, ISimdWidth<TV> where TV : struct where TB : struct, IConst where TAct : struct, IUnaryOperator
    {
        int nb = TB.Value, k = j.K, plane = j.Oh * j.Ow, cin = j.Cin, hp = j.Hp, wp = j.Wp, cout = j.Cout, pairs = j.Oh / 2 * 2;
        float* wt = j.Wt + j.O0;
        float* tmp = stackalloc float[Lanes];
        float* acc = stackalloc float[16 * Lanes];
        int* offsets = stackalloc int[MaxTaps];
        TapOffsets(offsets, k, wp);
        for (int t0 = 0; t0 < j.Ow; t0 += TW.Lanes)
        {
            int lanes = System.Math.Min(TW.Lanes, j.Ow - t0);
            for (int oy = 0; oy < pairs; oy += 2)
            {
                TV a0 = Init<TW, TV>(j, 0), a1 = nb > 1 ? Init<TW, TV>(j, 1) : default, a2 = nb > 2 ? Init<TW, TV>(j, 2) : default, a3 = nb > 3 ? Init<TW, TV>(j, 3) : default,
                    a4 = nb > 4 ? Init<TW, TV>(j, 4) : default, a5 = nb > 5 ? Init<TW, TV>(j, 5) : default, a6 = nb > 6 ? Init<TW, TV>(j, 6) : default, a7 = nb > 7 ? Init<TW, TV>(j, 7) : default;
                TV b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
                int ky0 = System.Math.Max(0, j.RowFrom - oy - 1), ky1 = System.Math.Min(k, j.RowTo - oy);   // either row's taps on data rows
                for (int c = 0; c < cin; c++)
                {
                    float* xc = j.Xp + ((long)c * hp + oy) * wp + t0;
                    float* wc = wt + (long)c * k * k * cout;
                    for (int t = ky0 * k, end = ky1 * k; t < end; t++)
                    {
                        float* w = wc + (long)t * cout;
                        float* x = xc + offsets[t];
                        TV x0 = TW.Load(x), x1 = TW.Load(x + wp), v;
                        v = TW.SplatAt(w); a0 = TW.MulAdd(v, x0, a0); b0 = TW.MulAdd(v, x1, b0);
                        if (nb > 1) { v = TW.SplatAt(w + 1); a1 = TW.MulAdd(v, x0, a1); b1 = TW.MulAdd(v, x1, b1); }
                        if (nb > 2) { v = TW.SplatAt(w + 2); a2 = TW.MulAdd(v, x0, a2); b2 = TW.MulAdd(v, x1, b2); }
                        if (nb > 3) { v = TW.SplatAt(w + 3); a3 = TW.MulAdd(v, x0, a3); b3 = TW.MulAdd(v, x1, b3); }
                        if (nb > 4) { v = TW.SplatAt(w + 4); a4 = TW.MulAdd(v, x0, a4); b4 = TW.MulAdd(v, x1, b4); }
                        if (nb > 5) { v = TW.SplatAt(w + 5); a5 = TW.MulAdd(v, x0, a5); b5 = TW.MulAdd(v, x1, b5); }
                        if (nb > 6) { v = TW.SplatAt(w + 6); a6 = TW.MulAdd(v, x0, a6); b6 = TW.MulAdd(v, x1, b6); }
                        if (nb > 7) { v = TW.SplatAt(w + 7); a7 = TW.MulAdd(v, x0, a7); b7 = TW.MulAdd(v, x1, b7); }
                    }
                }
                // Parked before the stores' calls, as in Rows.
                TW.Store(a0, acc); TW.Store(b0, acc + 8 * Lanes);
                if (nb > 1) { TW.Store(a1, acc + Lanes); TW.Store(b1, acc + 9 * Lanes); }
                if (nb > 2) { TW.Store(a2, acc + 2 * Lanes); TW.Store(b2, acc + 10 * Lanes); }
                if (nb > 3) { TW.Store(a3, acc + 3 * Lanes); TW.Store(b3, acc + 11 * Lanes); }
                if (nb > 4) { TW.Store(a4, acc + 4 * Lanes); TW.Store(b4, acc + 12 * Lanes); }
                if (nb > 5) { TW.Store(a5, acc + 5 * Lanes); TW.Store(b5, acc + 13 * Lanes); }
                if (nb > 6) { TW.Store(a6, acc + 6 * Lanes); TW.Store(b6, acc + 14 * Lanes); }
                if (nb > 7) { TW.Store(a7, acc + 7 * Lanes); TW.Store(b7, acc + 15 * Lanes); }
                float* y = j.Y + (long)j.O0 * plane + oy * j.Ow + t0;
                for (int b = 0; b < nb; b++)
                {
                    Store<TW, TV, TAct>(TW.Load(acc + b * Lanes), y + (long)b * plane, lanes, in activation, tmp);
                    Store<TW, TV, TAct>(TW.Load(acc + (8 + b) * Lanes), y + (long)b * plane + j.Ow, lanes, in activation, tmp);
                }
            }
        }
        if (pairs < j.Oh) Rows<TW, TV, TB, TAct>(in j, in activation, pairs);
    }
}
