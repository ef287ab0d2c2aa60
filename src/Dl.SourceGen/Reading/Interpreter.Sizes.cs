using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using Microsoft.CodeAnalysis;

namespace Dl.SourceGen.Reading;

internal sealed partial class Interpreter
{
    /// <summary>
    /// DL0022 when a tensor of <paramref name="sizes"/> would hold more values than an int counts (the
    /// generated code indexes every tensor with ints). Sizes of zero or less are left to the shape rules,
    /// which say that more precisely (DL0001).
    /// </summary>
    public static void CheckElementCount(IReadOnlyList<long> sizes, SyntaxNode at, string what)
    {
        if (sizes.Any(s => s <= 0)) return;
        var count = sizes.Aggregate(BigInteger.One, (p, s) => p * s);
        if (count <= int.MaxValue) return;
        throw Error(DiagnosticDescriptors.SizeTooLarge, at,
            $"{what} holds {string.Join(" x ", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)))} = {count.ToString("N0", CultureInfo.InvariantCulture)} values: "
            + $"a tensor holds at most {int.MaxValue.ToString("N0", CultureInfo.InvariantCulture)} (int.MaxValue); use smaller sizes");
    }

    /// <summary>DL0024 for a shape that is missing (<c>null</c>) or empty where one is required.</summary>
    public static ReadException MissingShape(SyntaxNode at, string message) => Error(DiagnosticDescriptors.MissingShape, at, message);
}
