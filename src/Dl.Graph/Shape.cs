using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>An immutable shape with structural equality, e.g. <c>[N,784]</c>. Rank 0 is a scalar.</summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<Dim>
{
    private readonly Dim[] _dims;

    public Shape(IEnumerable<Dim> dims)
    {
        _dims = dims.ToArray();
        if (_dims.Count(d => d.IsBatch) > 1)
            throw new ArgumentException("a shape has at most one batch dimension");
    }

    public Shape(params Dim[] dims) : this((IEnumerable<Dim>)dims) { }

    public static Shape Scalar { get; } = new();

    public int Rank => _dims.Length;
    public int Count => _dims.Length;
    public Dim this[int axis] => _dims[axis];

    public bool HasBatch => _dims.Any(d => d.IsBatch);

    /// <summary>Product of the static dims: the element count per batch row when <see cref="HasBatch"/>.</summary>
    public long StaticCount => _dims.Where(d => !d.IsBatch).Aggregate(1L, (p, d) => p * d.Size);

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
