using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dl.Cpu;

/// <summary>
/// Max and average pooling over the H x W planes of an NCHW tensor (planes = N·C), k x k windows
/// moved by a stride over an input padded by <c>padding</c> on every side. Max pooling ignores the
/// padding and picks the first maximum in row-major order on ties (the reference evaluator does the
/// same); average pooling counts the padding as zeros. The common 2x2, stride-2 case has its own loop,
/// cut by planes into one part per thread of the <see cref="WorkerPool"/>, like the convolutions
/// around it.
/// </summary>
public static unsafe class Pooling
{
    /// <summary>Input values per part below which a 2x2 pooling is cut in fewer parts (65536 values split in two).</summary>
    private const long MinPartValues = 32_768;

    /// <summary>One 2x2 pooling's operands, shared with the workers through a pointer to the caller's stack.</summary>
    private struct Job
    {
        public float* X, Y, Dy, Dx;
        public int H, W, Oh, Ow;
    }

    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, int planes, int h, int w, int k, int stride, int padding, int oh, int ow)
    {
        Check(x.Length, y.Length, planes, h, w, oh, ow);
        if (k == 2 && stride == 2 && padding == 0)
        {
            fixed (float* px = x, py = y)
            {
                var job = new Job { X = px, Y = py, H = h, W = w, Oh = oh, Ow = ow };
                WorkerPool.Run(&MaxForward2x2, &job, planes, WorkerPool.Parts(planes, (long)planes * h * w, MinPartValues));
            }
            return;
        }
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    y[(p * oh + i) * ow + j] = x[ArgMax(x, p, h, w, k, stride, padding, i, j)];
    }

    /// <summary>dx = 0, then each dy added at its window's argmax of x.</summary>
    public static void MaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int planes, int h, int w, int k, int stride, int padding, int oh, int ow)
    {
        Check(x.Length, dy.Length, planes, h, w, oh, ow);
        if (dx.Length != x.Length) throw new ArgumentException($"dx: expected {x.Length} values, got {dx.Length}");
        if (k == 2 && stride == 2 && padding == 0)
        {
            fixed (float* px = x, pdy = dy, pdx = dx)
            {
                var job = new Job { X = px, Dy = pdy, Dx = pdx, H = h, W = w, Oh = oh, Ow = ow };
                WorkerPool.Run(&MaxBackward2x2, &job, planes, WorkerPool.Parts(planes, (long)planes * h * w, MinPartValues));
            }
            return;
        }
        dx.Clear();
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    dx[ArgMax(x, p, h, w, k, stride, padding, i, j)] += dy[(p * oh + i) * ow + j];
    }

    /// <summary>y = v read at each window's argmax of x (the adjoint of <see cref="MaxBackward"/> in dy).</summary>
    public static void MaxSelect(ReadOnlySpan<float> x, ReadOnlySpan<float> v, Span<float> y, int planes, int h, int w, int k, int stride, int padding, int oh, int ow)
    {
        Check(x.Length, y.Length, planes, h, w, oh, ow);
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    y[(p * oh + i) * ow + j] = v[ArgMax(x, p, h, w, k, stride, padding, i, j)];
    }

    public static void AvgForward(ReadOnlySpan<float> x, Span<float> y, int planes, int h, int w, int k, int stride, int padding, int oh, int ow)
    {
        Check(x.Length, y.Length, planes, h, w, oh, ow);
        float scale = 1f / (k * k);
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float sum = 0;
                    for (int a = Math.Max(0, i * stride - padding); a < Math.Min(h, i * stride - padding + k); a++)
                        for (int b = Math.Max(0, j * stride - padding); b < Math.Min(w, j * stride - padding + k); b++)
                            sum += x[(p * h + a) * w + b];
                    y[(p * oh + i) * ow + j] = sum * scale;
                }
    }

    /// <summary>dx = 0, then each dy spread over its window, divided by k².</summary>
    public static void AvgBackward(ReadOnlySpan<float> dy, Span<float> dx, int planes, int h, int w, int k, int stride, int padding, int oh, int ow)
    {
        Check(dx.Length, dy.Length, planes, h, w, oh, ow);
        dx.Clear();
        float scale = 1f / (k * k);
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float g = dy[(p * oh + i) * ow + j] * scale;
                    for (int a = Math.Max(0, i * stride - padding); a < Math.Min(h, i * stride - padding + k); a++)
                        for (int b = Math.Max(0, j * stride - padding); b < Math.Min(w, j * stride - padding + k); b++)
                            dx[(p * h + a) * w + b] += g;
                }
    }

    /// <summary>The common 2x2, stride-2 window without padding, planes [first, end): pointer loops, no bounds checks.</summary>
    private static void MaxForward2x2(void* context, int first, int end, int part)
    {
        var job = (Job*)context;
        float* px = job->X, py = job->Y;
        int h = job->H, w = job->W, oh = job->Oh, ow = job->Ow;
        for (int p = first; p < end; p++)
            for (int i = 0; i < oh; i++)
            {
                float* top = px + ((long)p * h + 2 * i) * w, bottom = top + w, dst = py + ((long)p * oh + i) * ow;
                int j = 0;
                if (Vector512.IsHardwareAccelerated && 2 * ow >= 16)
                {
                    for (int step = 0; step < 2 * ow; step += 16)
                    {
                        int c = Math.Min(step, 2 * ow - 16);   // the last step ends at the row's last window
                        var v = Vector512.Max(Vector512.Load(top + c), Vector512.Load(bottom + c));
                        v = Vector512.Max(v, Vector512.Shuffle(v, s_swapPairs));
                        Vector512.Shuffle(v, s_evenLanes).GetLower().Store(dst + c / 2);
                    }
                    j = ow;
                }
                else if (Vector256.IsHardwareAccelerated && 2 * ow >= 8)
                {
                    for (int step = 0; step < 2 * ow; step += 8)
                    {
                        int c = Math.Min(step, 2 * ow - 8);
                        var v = Vector256.Max(Vector256.Load(top + c), Vector256.Load(bottom + c));
                        v = Vector256.Max(v, Vector256.Shuffle(v, s_swapPairs256));
                        Vector256.Shuffle(v, s_evenLanes256).GetLower().Store(dst + c / 2);
                    }
                    j = ow;
                }
                else if (Vector128.IsHardwareAccelerated && 2 * ow >= 4)
                {
                    for (int step = 0; step < 2 * ow; step += 4)
                    {
                        int c = Math.Min(step, 2 * ow - 4);
                        var v = Vector128.Max(Vector128.Load(top + c), Vector128.Load(bottom + c));
                        v = Vector128.Max(v, Vector128.Shuffle(v, s_swapPairs128));
                        Vector128.Shuffle(v, s_evenLanes128).GetLower().Store(dst + c / 2);
                    }
                    j = ow;
                }
                for (; j < ow; j++)
                    dst[j] = MathF.Max(MathF.Max(top[2 * j], top[2 * j + 1]), MathF.Max(bottom[2 * j], bottom[2 * j + 1]));
            }
    }

    /// <summary>
    /// Writes every element of dx once, window by window (the gradient at the first maximum, zeros at
    /// the other three), instead of clearing dx and scattering: one sequential pass. Rows and columns
    /// no window covers (odd h or w) are zeroed separately.
    /// </summary>
    private static void MaxBackward2x2(void* context, int first, int end, int part)
    {
        var job = (Job*)context;
        float* px = job->X, pdy = job->Dy, pdx = job->Dx;
        int h = job->H, w = job->W, oh = job->Oh, ow = job->Ow;
        for (int p = first; p < end; p++)
        {
            for (int i = 0; i < oh; i++)
            {
                long t = ((long)p * h + 2 * i) * w;
                float* xt = px + t, xb = xt + w, dt = pdx + t, db = dt + w, g = pdy + ((long)p * oh + i) * ow;
                int j = 0;
                if (Vector512.IsHardwareAccelerated && 2 * ow >= 16)
                {
                    // 8 windows per step; the last step is moved back to end at the row's last
                    // window (recomputing a few windows gives the same values), so no scalar tail.
                    for (int step = 0; step < 2 * ow; step += 16)
                    {
                        int c = Math.Min(step, 2 * ow - 16);
                        MaxBackward8(xt + c, xb + c, g + c / 2, dt + c, db + c);
                    }
                    j = ow;
                }
                else if (Vector256.IsHardwareAccelerated && 2 * ow >= 8)
                {
                    for (int step = 0; step < 2 * ow; step += 8)
                    {
                        int c = Math.Min(step, 2 * ow - 8);
                        MaxBackward4(xt + c, xb + c, g + c / 2, dt + c, db + c);
                    }
                    j = ow;
                }
                else if (Vector128.IsHardwareAccelerated && 2 * ow >= 4)
                {
                    for (int step = 0; step < 2 * ow; step += 4)
                    {
                        int c = Math.Min(step, 2 * ow - 4);
                        MaxBackward2(xt + c, xb + c, g + c / 2, dt + c, db + c);
                    }
                    j = ow;
                }
                for (; j < ow; j++)
                {
                    int c = 2 * j;
                    float t0 = xt[c], t1 = xt[c + 1], b0 = xb[c], b1 = xb[c + 1];
                    // The first maximum of (t0, t1, b0, b1), as the general loop finds it, chosen
                    // without branches (on real activations they would be mispredicted half the
                    // time): 0/1 flags widened to all-zero/all-one masks over the gradient's bits.
                    float m = MathF.Max(MathF.Max(t0, t1), MathF.Max(b0, b1));
                    int e0 = t0 == m ? 1 : 0, e1 = t1 == m ? 1 : 0, e2 = b0 == m ? 1 : 0;
                    int s1 = (1 - e0) & e1, s2 = (1 - e0) & (1 - e1) & e2, s3 = (1 - e0) & (1 - e1) & (1 - e2);
                    int gj = BitConverter.SingleToInt32Bits(g[j]);
                    dt[c] = BitConverter.Int32BitsToSingle(gj & -e0);
                    dt[c + 1] = BitConverter.Int32BitsToSingle(gj & -s1);
                    db[c] = BitConverter.Int32BitsToSingle(gj & -s2);
                    db[c + 1] = BitConverter.Int32BitsToSingle(gj & -s3);
                }
                if (w > 2 * ow)
                    for (int c = 2 * ow; c < w; c++) { dt[c] = 0f; db[c] = 0f; }
            }
            if (h > 2 * oh)
                new Span<float>(pdx + ((long)p * h + 2 * oh) * w, (h - 2 * oh) * w).Clear();
        }
    }

    private static readonly Vector512<int> s_swapPairs = Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
    private static readonly Vector512<int> s_evenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
    private static readonly Vector512<int> s_pairOf = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    private static readonly Vector512<float> s_oddLanes = Vector512.Create(0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1).AsSingle();
    // The same lane patterns for 8 and 4 lanes (CPUs without AVX-512; 128 bits only).
    private static readonly Vector256<int> s_swapPairs256 = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
    private static readonly Vector256<int> s_evenLanes256 = Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6);
    private static readonly Vector256<int> s_pairOf256 = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
    private static readonly Vector256<float> s_oddLanes256 = Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1).AsSingle();
    private static readonly Vector128<int> s_swapPairs128 = Vector128.Create(1, 0, 3, 2);
    private static readonly Vector128<int> s_evenLanes128 = Vector128.Create(0, 2, 0, 2);
    private static readonly Vector128<int> s_pairOf128 = Vector128.Create(0, 0, 1, 1);
    private static readonly Vector128<float> s_oddLanes128 = Vector128.Create(0, -1, 0, -1).AsSingle();

    /// <summary>
    /// Eight 2x2 windows (16 columns of a row pair): each window's gradient goes to its first maximum
    /// in (t0, t1, b0, b1) order, zeros to the rest. Lanes hold t0/t1 (even/odd) and their pair
    /// partners after a swap, so "first" becomes: top even lane if it is the maximum, top odd lane if
    /// it is and its partner is not, then the bottom lanes likewise when no top lane is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxBackward8(float* xt, float* xb, float* g, float* dt, float* db)
    {
        var top = Vector512.Load(xt);
        var bottom = Vector512.Load(xb);
        var topSwap = Vector512.Shuffle(top, s_swapPairs);
        var bottomSwap = Vector512.Shuffle(bottom, s_swapPairs);
        var max = Vector512.Max(Vector512.Max(top, topSwap), Vector512.Max(bottom, bottomSwap));
        var isTop = Vector512.Equals(top, max);
        var isTopPartner = Vector512.Equals(topSwap, max);
        var isBottom = Vector512.Equals(bottom, max);
        var isBottomPartner = Vector512.Equals(bottomSwap, max);
        var pickTop = Vector512.AndNot(isTop, isTopPartner & s_oddLanes);
        var pickBottom = Vector512.AndNot(Vector512.AndNot(isBottom, isTop | isTopPartner), isBottomPartner & s_oddLanes);
        var grad = Vector512.Shuffle(Vector512.Create(Vector256.Load(g), Vector256<float>.Zero), s_pairOf);
        (pickTop & grad).Store(dt);
        (pickBottom & grad).Store(db);
    }

    /// <summary>Four windows (8 columns): <see cref="MaxBackward8"/> with Vector256.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxBackward4(float* xt, float* xb, float* g, float* dt, float* db)
    {
        var top = Vector256.Load(xt);
        var bottom = Vector256.Load(xb);
        var topSwap = Vector256.Shuffle(top, s_swapPairs256);
        var bottomSwap = Vector256.Shuffle(bottom, s_swapPairs256);
        var max = Vector256.Max(Vector256.Max(top, topSwap), Vector256.Max(bottom, bottomSwap));
        var isTop = Vector256.Equals(top, max);
        var isTopPartner = Vector256.Equals(topSwap, max);
        var isBottom = Vector256.Equals(bottom, max);
        var isBottomPartner = Vector256.Equals(bottomSwap, max);
        var pickTop = Vector256.AndNot(isTop, isTopPartner & s_oddLanes256);
        var pickBottom = Vector256.AndNot(Vector256.AndNot(isBottom, isTop | isTopPartner), isBottomPartner & s_oddLanes256);
        var grad = Vector256.Shuffle(Vector256.Create(Vector128.Load(g), Vector128<float>.Zero), s_pairOf256);
        (pickTop & grad).Store(dt);
        (pickBottom & grad).Store(db);
    }

    /// <summary>Two windows (4 columns): <see cref="MaxBackward8"/> with Vector128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxBackward2(float* xt, float* xb, float* g, float* dt, float* db)
    {
        var top = Vector128.Load(xt);
        var bottom = Vector128.Load(xb);
        var topSwap = Vector128.Shuffle(top, s_swapPairs128);
        var bottomSwap = Vector128.Shuffle(bottom, s_swapPairs128);
        var max = Vector128.Max(Vector128.Max(top, topSwap), Vector128.Max(bottom, bottomSwap));
        var isTop = Vector128.Equals(top, max);
        var isTopPartner = Vector128.Equals(topSwap, max);
        var isBottom = Vector128.Equals(bottom, max);
        var isBottomPartner = Vector128.Equals(bottomSwap, max);
        var pickTop = Vector128.AndNot(isTop, isTopPartner & s_oddLanes128);
        var pickBottom = Vector128.AndNot(Vector128.AndNot(isBottom, isTop | isTopPartner), isBottomPartner & s_oddLanes128);
        var grad = Vector128.Shuffle(Vector128.Create(Vector64.Load(g), Vector64<float>.Zero), s_pairOf128);
        (pickTop & grad).Store(dt);
        (pickBottom & grad).Store(db);
    }

    private static int ArgMax(ReadOnlySpan<float> x, int p, int h, int w, int k, int stride, int padding, int i, int j)
    {
        int best = -1;
        for (int a = Math.Max(0, i * stride - padding); a < Math.Min(h, i * stride - padding + k); a++)
            for (int b = Math.Max(0, j * stride - padding); b < Math.Min(w, j * stride - padding + k); b++)
            {
                int at = (p * h + a) * w + b;
                if (best < 0 || x[at] > x[best]) best = at;
            }
        return best;
    }

    private static void Check(int inputLength, int outputLength, int planes, int h, int w, int oh, int ow)
    {
        if (inputLength != planes * h * w || outputLength != planes * oh * ow)
            throw new ArgumentException($"pooling {planes} planes of {h}x{w} into {oh}x{ow} needs {planes * h * w} and {planes * oh * ow} values, got {inputLength} and {outputLength}");
    }
}
