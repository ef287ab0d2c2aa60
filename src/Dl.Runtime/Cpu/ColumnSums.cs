namespace Dl.Cpu;

/// <summary>
/// Column sums of one [reduce, inner] slice for <see cref="Reduce.Sum"/> at width TW: four vectors of
/// columns at a time in registers, then one (over two chains of alternate rows), the last few scalar.
/// </summary>
internal static unsafe class Columns<TW, TV> where TW : struct, ISimdWidth<TV> where TV : struct
{
    public static void Sums(float* x, int reduce, int inner, float* d, float scale, bool accumulate)
    {
        int w = TW.Lanes, j = 0;
        for (; j + 4 * w <= inner; j += 4 * w)
        {
            TV s0 = default, s1 = default, s2 = default, s3 = default;
            float* p = x + j;
            for (int r = 0; r < reduce; r++, p += inner)
            {
                s0 = TW.Add(s0, TW.Load(p));
                s1 = TW.Add(s1, TW.Load(p + w));
                s2 = TW.Add(s2, TW.Load(p + 2 * w));
                s3 = TW.Add(s3, TW.Load(p + 3 * w));
            }
            Store(s0, d + j, scale, accumulate);
            Store(s1, d + j + w, scale, accumulate);
            Store(s2, d + j + 2 * w, scale, accumulate);
            Store(s3, d + j + 3 * w, scale, accumulate);
        }
        for (; j + w <= inner; j += w)
        {
            // Two chains over alternate rows halve the wait on the add latency.
            TV s0 = default, s1 = default;
            float* p = x + j;
            int r = 0;
            for (; r + 1 < reduce; r += 2, p += 2L * inner) { s0 = TW.Add(s0, TW.Load(p)); s1 = TW.Add(s1, TW.Load(p + inner)); }
            if (r < reduce) s0 = TW.Add(s0, TW.Load(p));
            Store(TW.Add(s0, s1), d + j, scale, accumulate);
        }
        for (; j < inner; j++)
        {
            float s = 0;
            for (int r = 0; r < reduce; r++) s += x[(long)r * inner + j];
            d[j] = accumulate ? d[j] + scale * s : scale * s;
        }
    }

    /// <summary>d = sum·scale (+ d), rounded as sum·scale then the add.</summary>
    private static void Store(TV sum, float* d, float scale, bool accumulate)
    {
        var v = TW.MulAdd(sum, TW.Splat(scale), default);   // a product onto zero: exactly sum·scale
        if (accumulate) v = TW.Add(v, TW.Load(d));
        TW.Store(v, d);
    }
}
