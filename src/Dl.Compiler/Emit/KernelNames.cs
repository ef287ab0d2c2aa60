using System.Linq;
using System.Text;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Kernel method names say what the kernel computes, not which node it was first made for: the fused
/// ops in order, then the shape of the value written last, the batch as N and axes joined by x
/// (<c>MatMul_BiasAdd_Relu_Nx128</c>, <c>SumTo_10</c>, <c>MatMul_784x128</c>; a scalar has no shape
/// part). Gradient copies and state updates are <c>CopyGradient</c> and <c>UpdateState</c>: their
/// code is one span copy whatever the tensor, so one method serves them all and no tensor's name fits.
/// Two kernels with different code under one name get <c>_a</c>, <c>_b</c>... (<see cref="KernelCode.Suffixed"/>);
/// the same code is one method whatever nodes call it.
/// </summary>
public static class KernelNames
{
    /// <summary>The name of a kernel computing <paramref name="fused"/> (in order); a long chain names its first <see cref="Kernel.NamedOps"/> ops and how many more.</summary>
    public static string For(System.Collections.Generic.IReadOnlyList<Node> fused)
    {
        var ops = fused.Select(n => n.Op.Name).ToList();
        var named = ops.Count <= Kernel.NamedOps ? ops : ops.Take(Kernel.NamedOps).Concat(new[] { (ops.Count - Kernel.NamedOps) + "More" }).ToList();
        return WithShape(string.Join("_", named), fused[fused.Count - 1].Shape);
    }

    /// <summary><paramref name="what"/>, then the shape part (none for a scalar).</summary>
    public static string WithShape(string what, Shape shape) => shape.Rank == 0 ? what : what + "_" + Shape(shape);

    /// <summary>A shape as a name part: <c>Nx128</c>, <c>Nx6x28x28</c>, <c>NxN</c>.</summary>
    public static string Shape(Shape s) => string.Join("x", s.Select(d => d.IsBatch ? "N" : d.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A user's dotted name (<c>hidden.weight</c>, <c>blocks[0].bias</c>) as an identifier part: letters, digits and single underscores.</summary>
    public static string Part(string name)
    {
        var b = new StringBuilder();
        foreach (char c in name)
        {
            bool ok = c < 128 && (char.IsLetterOrDigit(c));
            if (ok) b.Append(c);
            else if (b.Length > 0 && b[b.Length - 1] != '_') b.Append('_');
        }
        var s = b.ToString().TrimEnd('_');
        return s.Length == 0 ? "value" : char.IsDigit(s[0]) ? "v" + s : s;
    }
}
