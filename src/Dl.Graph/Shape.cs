using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// An immutable shape with structural equality, e.g. <c>[N,784]</c>. Rank 0 is a scalar. A shape may
/// hold the batch dimension more than once (<c>[N,N]</c>, the similarities of every pair in a batch):
/// its element count is then <see cref="StaticCount"/> times N to the power <see cref="BatchRank"/>.
/// </summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<Dim>
{
    private readonly Dim[] _dims;

    public Shape(IEnumerable<Dim> dims) => _dims = dims.ToArray();

    public Shape(params Dim[] dims) : this((IEnumerable<Dim>)dims) { }

    public static Shape Scalar { get; } = new();

    public int Rank => _dims.Length;
    public int Count => _dims.Length;
    public Dim this[int axis] => _dims[axis];

    public bool HasBatch => _dims.Any(d => d.IsBatch);

    /// <summary>How many axes are the batch: the element count grows as N^BatchRank.</summary>
    public int BatchRank => _dims.Count(d => d.IsBatch);

    /// <summary>
    /// Product of the static dims: the element count per batch row when <see cref="HasBatch"/> (per
    /// N^<see cref="BatchRank"/>). Saturates at <see cref="long.MaxValue"/> instead of wrapping, so a
    /// size check (<see cref="TensorLimits"/>) sees every oversized shape as oversized.
    /// </summary>
    public long StaticCount
    {
        get
        {
            if (_dims.Any(d => !d.IsBatch && d.Size == 0)) return 0;
            long count = 1;
            foreach (var d in _dims)
            {
                if (d.IsBatch) continue;
                if (d.Size != 0 && count > long.MaxValue / d.Size) return long.MaxValue;
                count *= d.Size;
            }
            return count;
        }
    }

    public long ElementCount(int batch) => _dims.Aggregate(1L, (p, d) => p * d.Resolve(batch));

    public int[] Resolve(int batch) => _dims.Select(d => d.Resolve(batch)).ToArray();

    /// <summary>Normalises a possibly negative axis (-1 = last) and checks its range.</summary>
    public int Axis(int axis, string op)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"{op}: axis {axis} is out of range for a rank-{Rank} tensor of shape {this}");
        return a;
    }

    public Shape With(int axis, Dim dim)
    {
        var d = (Dim[])_dims.Clone();
        d[axis] = dim;
        return new Shape(d);
    }

    public bool Equals(Shape? other) => other is not null && _dims.SequenceEqual(other._dims);
    public override bool Equals(object? obj) => Equals(obj as Shape);
    public override int GetHashCode() => _dims.Aggregate(17, (h, d) => h * 31 + d.GetHashCode());
    public IEnumerator<Dim> GetEnumerator() => ((IEnumerable<Dim>)_dims).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _dims.GetEnumerator();
    public override string ToString() => "[" + string.Join(",", _dims.Select(d => d.ToString())) + "]";
}
