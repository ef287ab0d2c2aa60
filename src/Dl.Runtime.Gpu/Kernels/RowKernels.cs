using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu.Kernels;

/// <summary>
/// Row-wise kernels over a [rows, cols] matrix (softmax, log-softmax, softmax-cross-entropy) and
/// the mean losses. Whole-batch reductions run in one group of <see cref="Group"/> threads that
/// stride over the data and combine in shared memory: one launch, and the same order every run.
/// </summary>
internal static class RowKernels
{
    public const int GroupSize = 256;

    /// <summary>y[r,:] = softmax(x[r,:]), one thread per row.</summary>
    public static void Softmax(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols)
    {
        int o = r * cols;
        float max = x[o];
        for (int j = 1; j < cols; j++) max = System.MathF.Max(max, x[o + j]);
        float sum = 0f;
        for (int j = 0; j < cols; j++) { float e = System.MathF.Exp(x[o + j] - max); y[o + j] = e; sum += e; }
        float inv = 1f / sum;
        for (int j = 0; j < cols; j++) y[o + j] *= inv;
    }

    /// <summary>y[r,:] = x[r,:] - logsumexp(x[r,:]), one thread per row.</summary>
    public static void LogSoftmax(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols)
    {
        int o = r * cols;
        float max = x[o];
        for (int j = 1; j < cols; j++) max = System.MathF.Max(max, x[o + j]);
        float sum = 0f;
        for (int j = 0; j < cols; j++) sum += System.MathF.Exp(x[o + j] - max);
        float lse = max + System.MathF.Log(sum);
        for (int j = 0; j < cols; j++) y[o + j] = x[o + j] - lse;
    }

    /// <summary>
    /// Softmax and cross-entropy in one pass, one group: loss[0] = mean over rows of
    /// -log softmax(z)[label] (NaN when a label is outside [0, cols): a kernel cannot throw), and
    /// when <paramref name="hasGradient"/> is 1, dz = (softmax(z) - onehot(label))·scale.
    /// </summary>
    public static void SoftmaxCrossEntropy(ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> loss, ArrayView<float> dLogits,
        int rows, int cols, float scale, int hasLoss, int hasGradient)
    {
        var partial = SharedMemory.Allocate<float>(GroupSize);
        int t = Group.IdxX;
        float acc = 0f;
        for (int r = t; r < rows; r += GroupSize)
        {
            int o = r * cols, label = labels[r];
            float max = logits[o];
            for (int j = 1; j < cols; j++) max = System.MathF.Max(max, logits[o + j]);
            float sum = 0f;
            for (int j = 0; j < cols; j++) sum += System.MathF.Exp(logits[o + j] - max);
            bool valid = label >= 0 && label < cols;
            acc += valid ? System.MathF.Log(sum) - (logits[o + label] - max) : float.NaN;
            if (hasGradient != 0)
            {
                float inv = scale / sum;
                for (int j = 0; j < cols; j++)
                    dLogits[o + j] = System.MathF.Exp(logits[o + j] - max) * inv - (j == label ? scale : 0f);
            }
        }
        partial[t] = acc;
        Group.Barrier();
        for (int half = GroupSize / 2; half > 0; half /= 2)
        {
            if (t < half) partial[t] += partial[t + half];
            Group.Barrier();
        }
        if (t == 0 && hasLoss != 0) loss[0] = partial[0] / rows;
    }

    /// <summary>
    /// y[0] = mean over i of f(a[i], b[i]) in one group: kind 0 squared error (MSE), kind 1 binary
    /// cross-entropy on logits a with targets b (max(a,0) - a·b + log(1 + exp(-|a|))).
    /// </summary>
    public static void MeanLoss(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int count, int kind)
    {
        var partial = SharedMemory.Allocate<float>(GroupSize);
        int t = Group.IdxX;
        float acc = 0f;
        for (int i = t; i < count; i += GroupSize)
        {
            float z = a[i], u = b[i];
            if (kind == 0) { float d = z - u; acc += d * d; }
            else acc += System.MathF.Max(z, 0f) - z * u + System.MathF.Log(1f + System.MathF.Exp(-System.MathF.Abs(z)));
        }
        partial[t] = acc;
        Group.Barrier();
        for (int half = GroupSize / 2; half > 0; half /= 2)
        {
            if (t < half) partial[t] += partial[t + half];
            Group.Barrier();
        }
        if (t == 0) y[0] = partial[0] / count;
    }
}
