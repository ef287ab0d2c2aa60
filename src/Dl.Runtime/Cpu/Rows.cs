using System;
using System.Numerics.Tensors;

namespace Dl.Cpu;

/// <summary>
/// Row-wise kernels over a row-major [rows, cols] matrix: softmax, log-softmax, their backward
/// passes, the fused softmax cross-entropy loss and its gradient, and arg-max. Every row is
/// independent; each is done with a few vectorised <see cref="TensorPrimitives"/> passes over a
/// contiguous slice. Spans may be longer than rows x cols (arena slices); the extra values are
/// neither read nor written. Nothing is allocated: scratch lives on the stack in fixed chunks.
/// </summary>
public static class Rows
{
    /// <summary>Floats of stack scratch per chunk; a row longer than this is done in several chunks.</summary>
    private const int Chunk = 256;

    /// <summary>
    /// The mean over rows of the cross-entropy loss -log softmax(logits[r])[labels[r]], computed
    /// stably (exp(z - max z) per row; the row's log-sum and the mean accumulated in double).
    /// When <paramref name="dLogits"/> is not empty it receives the gradient of the loss sum scaled
    /// by <paramref name="gradScale"/>: dLogits[r, j] = (softmax(logits[r])[j] - (j == labels[r] ? 1 : 0)) * gradScale
    /// (pass 1/rows for the gradient of the mean). <paramref name="dLogits"/> may be the same span
    /// as <paramref name="logits"/>. Zero rows give a loss of 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, cols); the message names the row and the value.</exception>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int rows, int cols, Span<float> dLogits, float gradScale)
    {
        CheckShape(logits.Length, rows, cols, nameof(logits));
        Require.Length(labels.Length, rows, nameof(labels));
        if (!dLogits.IsEmpty) Require.Matrix(dLogits.Length, rows, cols, nameof(dLogits));
        if (rows == 0) return 0f;

        Span<float> scratch = stackalloc float[Chunk];
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * cols, cols);
            int label = labels[r];
            if ((uint)label >= (uint)cols)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"the label {label} in row {r} is outside [0, {cols})");
            float max = TensorPrimitives.Max(z);
            // Read the label's logit before the gradient overwrites it (dLogits may alias logits).
            double zLabel = z[label];
            double sum;
            if (dLogits.IsEmpty) sum = ExpSum(z, max, scratch);
            else
            {
                // The exponentials are written once, into the gradient row, then scaled in place.
                var d = dLogits.Slice(r * cols, cols);
                TensorPrimitives.Subtract(z, max, d);
                TensorPrimitives.Exp(d, d);
                sum = SumInDouble(d);
                TensorPrimitives.Multiply(d, (float)(gradScale / sum), d);
                d[label] -= gradScale;
            }
            loss += Math.Log(sum) - (zLabel - max);
        }
        return (float)(loss / rows);
    }

    /// <summary>y[r, j] = exp(x[r, j] - m) / Σ_j' exp(x[r, j'] - m), m = max_j x[r, j] (stable for any magnitude). y may be x.</summary>
    public static void Softmax(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
    {
        CheckShape(x.Length, rows, cols, nameof(x));
        Require.Matrix(y.Length, rows, cols, nameof(y));
        for (int r = 0; r < rows; r++)
        {
            var src = x.Slice(r * cols, cols);
            var dst = y.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(src);
            TensorPrimitives.Subtract(src, max, dst);
            TensorPrimitives.Exp(dst, dst);
            TensorPrimitives.Multiply(dst, (float)(1.0 / SumInDouble(dst)), dst);
        }
    }

    /// <summary>y[r, j] = x[r, j] - m - log Σ_j' exp(x[r, j'] - m), m = max_j x[r, j]; the sum in double. y may be x.</summary>
    public static void LogSoftmax(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
    {
        CheckShape(x.Length, rows, cols, nameof(x));
        Require.Matrix(y.Length, rows, cols, nameof(y));
        Span<float> scratch = stackalloc float[Chunk];
        for (int r = 0; r < rows; r++)
        {
            var src = x.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(src);
            float logSum = (float)(max + Math.Log(ExpSum(src, max, scratch)));
            TensorPrimitives.Subtract(src, logSum, y.Slice(r * cols, cols));
        }
    }

    /// <summary>
    /// The backward of <see cref="Softmax"/> given its output y: dx[r, j] = y[r, j] · (dy[r, j] - Σ_j' dy[r, j'] · y[r, j']).
    /// dx may be y or dy.
    /// </summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int rows, int cols, Span<float> dx)
    {
        CheckShape(y.Length, rows, cols, nameof(y));
        Require.Matrix(dy.Length, rows, cols, nameof(dy));
        Require.Matrix(dx.Length, rows, cols, nameof(dx));
        Span<float> scratch = stackalloc float[Chunk];
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var dyr = dy.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(dyr, yr);
            // Chunked through scratch so dx may alias either input: each chunk is read before written.
            for (int j = 0; j < cols; j += Chunk)
            {
                int len = Math.Min(Chunk, cols - j);
                var t = scratch.Slice(0, len);
                TensorPrimitives.Subtract(dyr.Slice(j, len), dot, t);
                TensorPrimitives.Multiply(t, yr.Slice(j, len), dxr.Slice(j, len));
            }
        }
    }

    /// <summary>
    /// The backward of <see cref="LogSoftmax"/> given its output y: dx[r, j] = dy[r, j] - exp(y[r, j]) · Σ_j' dy[r, j'].
    /// dx may be y or dy.
    /// </summary>
    public static void LogSoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int rows, int cols, Span<float> dx)
    {
        CheckShape(y.Length, rows, cols, nameof(y));
        Require.Matrix(dy.Length, rows, cols, nameof(dy));
        Require.Matrix(dx.Length, rows, cols, nameof(dx));
        Span<float> scratch = stackalloc float[Chunk];
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var dyr = dy.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            float sum = TensorPrimitives.Sum(dyr);
            for (int j = 0; j < cols; j += Chunk)
            {
                int len = Math.Min(Chunk, cols - j);
                var t = scratch.Slice(0, len);
                TensorPrimitives.Exp(yr.Slice(j, len), t);
                TensorPrimitives.MultiplyAdd(t, -sum, dyr.Slice(j, len), dxr.Slice(j, len));
            }
        }
    }

    /// <summary>
    /// dst[r] = the index of the largest value of row r (the first one on ties; a NaN counts as the
    /// largest, as in <see cref="TensorPrimitives.IndexOfMax{T}(ReadOnlySpan{T})"/>). cols must be positive.
    /// </summary>
    public static void ArgMax(ReadOnlySpan<float> x, int rows, int cols, Span<int> dst)
    {
        CheckShape(x.Length, rows, cols, nameof(x));
        Require.Length(dst.Length, rows, nameof(dst));
        for (int r = 0; r < rows; r++) dst[r] = TensorPrimitives.IndexOfMax(x.Slice(r * cols, cols));
    }

    /// <summary>rows ≥ 0, cols ≥ 1 (a row-wise max of nothing is undefined), and the input long enough.</summary>
    private static void CheckShape(int length, int rows, int cols, string name)
    {
        Require.NonNegative(rows, nameof(rows));
        if (cols <= 0) throw new ArgumentOutOfRangeException(nameof(cols), cols, $"a row-wise kernel needs at least one column, got {cols}");
        Require.Matrix(length, rows, cols, name);
    }

    /// <summary>Σ exp(z[j] - max) in double; the exponentials go through stack scratch in chunks.</summary>
    private static double ExpSum(ReadOnlySpan<float> z, float max, Span<float> scratch)
    {
        double sum = 0;
        for (int j = 0; j < z.Length; j += scratch.Length)
        {
            int len = Math.Min(scratch.Length, z.Length - j);
            var t = scratch.Slice(0, len);
            TensorPrimitives.Subtract(z.Slice(j, len), max, t);
            TensorPrimitives.Exp(t, t);
            sum += SumInDouble(t);
        }
        return sum;
    }

    /// <summary>A row of exponentials (all in [0, 1]) summed in double: rows are short, and the loss's log needs the digits.</summary>
    private static double SumInDouble(ReadOnlySpan<float> x)
    {
        double s0 = 0, s1 = 0;
        int j = 0;
        for (; j + 1 < x.Length; j += 2) { s0 += x[j]; s1 += x[j + 1]; }
        if (j < x.Length) s0 += x[j];
        return s0 + s1;
    }
}
