using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// C# expressions for sizes: static dims are literals, the batch dim is <c>n</c> (a parameter of every
/// kernel) or the name an entry point gives its batch local. Literals are ints: graph nodes are at most
/// <see cref="TensorLimits.MaxElements"/> per sample and the compiler checks its totals, so a
/// literal past <see cref="int.MaxValue"/> here is a compiler bug, refused rather than printed.
/// </summary>
public static class Sizes
{
    public const string Batch = "n";

    public static string Of(Dim d, string batch = Batch) => d.IsBatch ? batch : Lit(d.Size);

    public static string Lit(long v) =>
        v >= int.MinValue && v <= int.MaxValue ? v.ToString(CultureInfo.InvariantCulture)
            : throw new System.InvalidOperationException($"size {v} does not fit an int: the size checks should have refused it");

    /// <summary>The element count of a shape, e.g. <c>784 * n</c>.</summary>
    public static string Count(Shape s, string batch = Batch) => Product(s, batch);

    /// <summary>A tensor as a row-major matrix: the product of all axes but the last (its rows), and the last (its columns).</summary>
    public static (string Rows, string Cols) Matrix(Shape s, string batch = Batch) =>
        (Product(s.Take(s.Rank - 1), batch), Of(s[s.Rank - 1], batch));

    /// <summary>k · n^p for the static product k and the number p of batch axes, e.g. <c>n</c>, <c>10 * n</c>, <c>n * n</c>.</summary>
    /// <summary>Element counts before and after <paramref name="axis"/>: a row-major tensor is [before, steps, after] (a loop's sequences and stacked results).</summary>
    public static (string Before, string Inner) Around(Shape shape, int axis, string batch = Batch) =>
        (Product(shape.Take(axis), batch), Product(shape.Skip(axis + 1), batch));

    public static string Product(IEnumerable<Dim> dims, string batch = Batch)
    {
        var list = dims.ToList();
        long k = new Shape(list).StaticCount;
        int power = list.Count(d => d.IsBatch);
        return power == 0 ? Lit(k) : string.Join(" * ", (k == 1 ? new string[0] : new[] { Lit(k) }).Concat(Enumerable.Repeat(batch, power)));
    }

    /// <summary>n^power as a product (power &gt;= 1): the size of one unit of a region planned per n^power.</summary>
    public static string BatchPower(int power, string batch = Batch) => string.Join(" * ", Enumerable.Repeat(batch, power));

    public static string Float(double v)
    {
        var f = (float)v;
        if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
        if (float.IsNaN(f)) return "float.NaN";
        return f.ToString("R", CultureInfo.InvariantCulture) + "f";
    }

    public static string Double(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
