using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Emits a fused elementwise group as one loop over [rows, cols]: a Vector512 body, 16 floats a
/// step, and a scalar tail. Intermediates live in registers. Each elementwise op has its scalar and
/// vector formula here, side by side. Temporaries are numbered by their place in the group (t0, t1...,
/// in the summary's order), not by node id, so two groups that compute the same thing are the same
/// code and are emitted once.
/// </summary>
public static class ElementwiseEmitter
{
    public static KernelCode Emit(string name, string summary, ElementwiseKernel k)
    {
        var root = k.Output;
        bool twoD = k.Split > 0;
        string rows = twoD ? Sizes.Product(root.Shape.Take(k.Split)) : "1";
        string cols = twoD ? Sizes.Product(root.Shape.Skip(k.Split)) : Sizes.Count(root.Shape);

        var leafName = new Dictionary<Node, (string Name, Access Access)>();
        var args = new List<KernelArgument>();
        var columnIndex = new Dictionary<string, string>();
        foreach (var leaf in k.Leaves)
        {
            string n = "x" + args.Count;
            leafName[leaf.Leaf] = (n, leaf.Access);
            args.Add(new KernelArgument(n, leaf.Leaf, false));
            // A column leaf over the axes [From, Split) only (a per-channel vector): row r reads r mod their product.
            if (leaf.Access == Access.Column)
                columnIndex[n] = leaf.From == 0 ? "r" : $"r % {Sizes.Product(root.Shape.Skip(leaf.From).Take(k.Split - leaf.From))}";
        }
        args.Add(new KernelArgument("y", root, true));

        var local = Locals(k);
        var body = new List<string> { $"int rows = {rows}, cols = {cols};" };
        foreach (var s in k.Body.Where(b => b.Op is ScaleOp))
            body.Add($"float s{local[s]} = {KernelEmitter.ScaleExpression((ScaleOp)s.Op)};");
        foreach (var leaf in leafName.Values.Where(l => l.Access == Access.Scalar))
            body.Add($"float {leaf.Name}s = {leaf.Name}[0];");

        body.Add("for (int r = 0; r < rows; r++) {");
        body.Add("int o = r * cols;");
        foreach (var leaf in leafName.Values.Where(l => l.Access == Access.Column))
            body.Add($"float {leaf.Name}r = {leaf.Name}[{columnIndex[leaf.Name]}];");
        body.Add("int j = 0;");
        body.Add("if (__Vec.IsHardwareAccelerated) {");
        body.Add("for (; j <= cols - 16; j += 16) {");
        body.AddRange(Statements(k, leafName, vector: true));
        body.Add($"__Vec.StoreUnsafe(t{local[root]}, ref __Mem.GetReference(y), (uint)(o + j));");
        body.Add("}");
        body.Add("}");
        body.Add("for (; j < cols; j++) {");
        body.AddRange(Statements(k, leafName, vector: false));
        body.Add($"y[o + j] = t{local[root]};");
        body.Add("}");
        body.Add("}");
        return new KernelCode(name, summary, args, body);
    }

    /// <summary>Each body node's number in the group: temporary t{i}, scale factor s{i}.</summary>
    public static Dictionary<Node, int> Locals(ElementwiseKernel k) => k.Body.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i);

    private static IEnumerable<string> Statements(ElementwiseKernel k, Dictionary<Node, (string Name, Access Access)> leaves, bool vector)
    {
        var local = Locals(k);
        string Operand(Node x)
        {
            if (x.Op is ConstantOp c) return vector ? $"__Vec.Create({Sizes.Float(c.Value)})" : Sizes.Float(c.Value);
            if (!leaves.TryGetValue(x, out var leaf)) return "t" + local[x];
            return (leaf.Access, vector) switch
            {
                (Access.Full, false) => $"{leaf.Name}[o + j]",
                (Access.Row, false) => $"{leaf.Name}[j]",
                (Access.Column, false) => leaf.Name + "r",
                (Access.Scalar, false) => leaf.Name + "s",
                (Access.Full, true) => $"__Vec.LoadUnsafe(ref __Mem.GetReference({leaf.Name}), (uint)(o + j))",
                (Access.Row, true) => $"__Vec.LoadUnsafe(ref __Mem.GetReference({leaf.Name}), (uint)j)",
                (Access.Column, true) => $"__Vec.Create({leaf.Name}r)",
                _ => $"__Vec.Create({leaf.Name}s)",
            };
        }

        foreach (var node in k.Body)
        {
            var a = node.Inputs.Select(Operand).ToArray();
            string expr = vector ? Vector(node, a, "s" + local[node]) : Scalar(node, a, "s" + local[node]);
            yield return $"{(vector ? "__V512" : "float")} t{local[node]} = {expr};";
        }
    }

    /// <summary>The scalar formula of <paramref name="node"/> over operands <paramref name="a"/>; a Scale multiplies by the variable <paramref name="scale"/>.</summary>
    internal static string Scalar(Node node, string[] a, string scale = "") => node.Op switch
    {
        AddOp or BiasAddOp => $"{a[0]} + {a[1]}",
        SubOp => $"{a[0]} - {a[1]}",
        MulOp => $"{a[0]} * {a[1]}",
        DivOp => $"{a[0]} / {a[1]}",
        NegOp => $"-{a[0]}",
        ExpOp => $"global::System.MathF.Exp({a[0]})",
        LogOp => $"global::System.MathF.Log({a[0]})",
        ReluOp => $"global::System.MathF.Max({a[0]}, 0f)",
        SigmoidOp => $"1f / (1f + global::System.MathF.Exp(-{a[0]}))",
        TanhOp => $"global::System.MathF.Tanh({a[0]})",
        StepOp => $"({a[0]} > 0f ? 1f : 0f)",
        ScaleOp => $"{a[0]} * {scale}",
        BroadcastToOp => a[0],
        LeakyReluOp l => $"({a[0]} > 0f ? {a[0]} : {Sizes.Float(l.Slope)} * {a[0]})",
        EluOp e => $"({a[0]} > 0f ? {a[0]} : {Sizes.Float(e.Alpha)} * (global::System.MathF.Exp({a[0]}) - 1f))",
        SoftplusOp => $"(global::System.MathF.Max({a[0]}, 0f) + global::System.MathF.Log(1f + global::System.MathF.Exp(-global::System.MathF.Abs({a[0]}))))",
        AbsOp => $"global::System.MathF.Abs({a[0]})",
        SignOp => $"(float)global::System.MathF.Sign({a[0]})",
        RsqrtOp => $"1f / global::System.MathF.Sqrt({a[0]})",
        _ => throw new NotSupportedException($"no scalar form for {node.Op.Name}"),
    };

    private static string Vector(Node node, string[] a, string scale) => node.Op switch
    {
        AddOp or BiasAddOp => $"{a[0]} + {a[1]}",
        SubOp => $"{a[0]} - {a[1]}",
        MulOp => $"{a[0]} * {a[1]}",
        DivOp => $"{a[0]} / {a[1]}",
        NegOp => $"-{a[0]}",
        ExpOp => $"__Vec.Exp({a[0]})",
        LogOp => $"__Vec.Log({a[0]})",
        ReluOp => $"__Vec.Max({a[0]}, __V512.Zero)",
        SigmoidOp => $"__V512.One / (__V512.One + __Vec.Exp(-{a[0]}))",
        // tanh(x) = 1 - 2 / (exp(2x) + 1): saturates cleanly to ±1 where exp overflows or vanishes.
        TanhOp => $"__V512.One - __Vec.Create(2f) / (__Vec.Exp({a[0]} + {a[0]}) + __V512.One)",
        StepOp => $"__Vec.ConditionalSelect(__Vec.GreaterThan({a[0]}, __V512.Zero), __V512.One, __V512.Zero)",
        ScaleOp => $"{a[0]} * __Vec.Create({scale})",
        BroadcastToOp => a[0],
        LeakyReluOp l => $"__Vec.ConditionalSelect(__Vec.GreaterThan({a[0]}, __V512.Zero), {a[0]}, {a[0]} * __Vec.Create({Sizes.Float(l.Slope)}))",
        EluOp e => $"__Vec.ConditionalSelect(__Vec.GreaterThan({a[0]}, __V512.Zero), {a[0]}, __Vec.Create({Sizes.Float(e.Alpha)}) * (__Vec.Exp({a[0]}) - __V512.One))",
        SoftplusOp => $"__Vec.Max({a[0]}, __V512.Zero) + __Vec.Log(__V512.One + __Vec.Exp(-__Vec.Abs({a[0]})))",
        AbsOp => $"__Vec.Abs({a[0]})",
        // sign = (x > 0) - (x < 0), each comparison a mask of 1s.
        SignOp => $"(__Vec.ConditionalSelect(__Vec.GreaterThan({a[0]}, __V512.Zero), __V512.One, __V512.Zero) - __Vec.ConditionalSelect(__Vec.LessThan({a[0]}, __V512.Zero), __V512.One, __V512.Zero))",
        RsqrtOp => $"__V512.One / __Vec.Sqrt({a[0]})",
        _ => throw new NotSupportedException($"no vector form for {node.Op.Name}"),
    };
}
