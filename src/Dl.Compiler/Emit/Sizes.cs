using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>C# expressions for sizes: static dims are literals, the batch dim is <c>n</c>.</summary>
public static class Sizes
{
    public static string Of(Dim d) => d.IsBatch ? "n" : Lit(d.Size);

    public static string Lit(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The element count of a shape, e.g. <c>784 * n</c>.</summary>
    public static string Count(Shape s) => Product(s);

    public static string Product(IEnumerable<Dim> dims)
    {
        var list = dims.ToList();
        long k = list.Where(d => !d.IsBatch).Aggregate(1L, (p, d) => p * d.Size);
        bool batch = list.Any(d => d.IsBatch);
        return batch ? (k == 1 ? "n" : Lit(k) + " * n") : Lit(k);
    }

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
