using System;

namespace Dl;

/// <summary>
/// A generated model's parameters, gradients, state and working memory: floats whose first element
/// sits on a 64-byte boundary (one cache line, one AVX-512 vector) and never moves. The compiler lays
/// out every tensor at a multiple of 16 floats from the start of its array (<c>MemoryPlanner</c>,
/// the parameter layout); that puts each tensor on a cache line only if the array's data starts on one,
/// which a plain <c>new float[n]</c> does not promise (its data started 16 or 24 bytes past a line here,
/// so every vector load of a weight row touched two lines: the batch-64 MLP's forward product ran
/// 1.07-1.18x slower than from aligned weights). The storage is one pinned array, a little longer
/// than asked, viewed from its first aligned element: the garbage collector never moves it, so the
/// alignment holds for the model's life.
/// </summary>
public readonly struct AlignedFloats
{
    /// <summary>Bytes every view starts on a multiple of.</summary>
    public const int Alignment = 64;

    /// <summary>Floats added to the array so that an aligned element exists whatever address it gets.</summary>
    private const int Padding = Alignment / sizeof(float) - 1;

    /// <summary>The most floats one storage can hold (one array, less the padding).</summary>
    public static long MaxLength => Array.MaxLength - Padding;

    private readonly float[]? _array;
    private readonly int _start;

    /// <summary>Zeroed storage of <paramref name="length"/> floats, starting on a 64-byte boundary.</summary>
    public AlignedFloats(long length)
    {
        if (length < 0 || length > MaxLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"one storage holds 0 to {MaxLength} floats");
        Length = (int)length;
        if (length == 0) { _array = Array.Empty<float>(); return; }
        _array = GC.AllocateArray<float>(Length + Padding, pinned: true);
        _start = FirstAligned(_array);
    }

    /// <summary>Floats in the storage.</summary>
    public int Length { get; }

    /// <summary>All of it (empty for the default value).</summary>
    public Span<float> Span => _array is null ? default : new Span<float>(_array, _start, Length);

    /// <summary>Floats [offset, offset + length) of it.</summary>
    public Span<float> Slice(int offset, int length) => Span.Slice(offset, length);

    /// <summary>The index of the first element of a pinned array that starts a 64-byte line.</summary>
    private static unsafe int FirstAligned(float[] array)
    {
        fixed (float* data = array)
        {
            int misalignment = (int)((nuint)data % Alignment);
            return misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
        }
    }
}
