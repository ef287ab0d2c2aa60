using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu.Kernels;

/// <summary>
/// Reductions along an axis and the small layout and update kernels. A tensor viewed as
/// [outer, reduce, inner] is summed over its middle axis (bias gradients, means, row sums).
/// </summary>
internal static class ReduceKernels
{
    public const int GroupSize = 256;

    /// <summary>One thread per output y[o, i] = Σ_r x[o, r, i]: coalesced when inner is wide (bias gradients).</summary>
    public static void SumPerThread(Index1D index, ArrayView<float> x, ArrayView<float> y, int reduce, int inner)
    {
        int o = index / inner, i = index - o * inner;
        int at = o * reduce * inner + i;
        float acc = 0f;
        for (int r = 0; r < reduce; r++, at += inner) acc += x[at];
        y[index] = acc;
    }

    /// <summary>One group per output (grid = outer·inner): the threads stride over a long reduce axis and combine in shared memory.</summary>
    public static void SumPerGroup(ArrayView<float> x, ArrayView<float> y, int reduce, int inner)
    {
        var partial = SharedMemory.Allocate<float>(GroupSize);
        int output = Grid.IdxX, t = Group.IdxX;
        int o = output / inner, i = output - o * inner;
        float acc = 0f;
        for (int r = t; r < reduce; r += GroupSize) acc += x[(o * reduce + r) * inner + i];
        partial[t] = acc;
        Group.Barrier();
        for (int half = GroupSize / 2; half > 0; half /= 2)
        {
            if (t < half) partial[t] += partial[t + half];
            Group.Barrier();
        }
        if (t == 0) y[output] = partial[0];
    }

    /// <summary>y[o, r, i] = x[o, i]: the inverse layout of <see cref="SumPerThread"/>.</summary>
    public static void Broadcast(Index1D index, ArrayView<float> x, ArrayView<float> y, int reduce, int inner)
    {
        int i = index % inner, o = index / (reduce * inner);
        y[index] = x[o * inner + i];
    }

    /// <summary>y[j, i] = x[i, j] for x [rows, cols].</summary>
    public static void Transpose(Index1D index, ArrayView<float> x, ArrayView<float> y, int rows, int cols)
    {
        int j = index / rows, i = index - j * rows;
        y[index] = x[i * cols + j];
    }

    /// <summary>p -= rate·g over every parameter.</summary>
    public static void Sgd(Index1D i, ArrayView<float> p, ArrayView<float> g, float rate) => p[i] -= rate * g[i];

    public static void Fill(Index1D i, ArrayView<float> y, float value) => y[i] = value;

    public static void Copy(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i];

    /// <summary>y[r, :] = onehot(labels[r]) (all zero for a label outside [0, classes)).</summary>
    public static void OneHot(Index1D index, ArrayView<int> labels, ArrayView<float> y, int classes)
    {
        int r = index / classes, c = index - r * classes;
        y[index] = labels[r] == c ? 1f : 0f;
    }
}
