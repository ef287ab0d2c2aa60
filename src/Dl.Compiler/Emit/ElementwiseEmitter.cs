using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Emits a fused elementwise group as one loop over [rows, cols]: a vector body at the widest width
/// the hardware accelerates (Vector512, 16 floats a step, else Vector256, else Vector128), then a
/// scalar tail. Intermediates live in registers. No formula is written here: each node calls its op's
/// operator struct (<see cref="Op.Operator"/>, Dl.Operators in Dl.Runtime), whose float and vector
/// overloads compute the same thing bit for bit, so an element's value does not depend on whether a
/// body or the tail computed it. Operators and temporaries are numbered by their place in the group
/// (f0, t0, ..., in the summary's order), not by node id, so two groups that compute the same thing
/// are the same code and are emitted once.
/// </summary>
public static class ElementwiseEmitter
{
    /// <summary>The vector widths a loop has a body for, widest first: the alias of VectorNNN and floats per vector.</summary>
    private static readonly (string Vec, int Lanes)[] Widths = { ("__V512", 16), ("__V256", 8), ("__V128", 4) };

    public static KernelCode Emit(string name, string summary, ElementwiseKernel k)
    {
        var root = k.Output;
        bool twoD = k.Split > 0;
        string rows = twoD ? Sizes.Product(root.Shape.Take(k.Split)) : "1";
        string cols = twoD ? Sizes.Product(root.Shape.Skip(k.Split)) : Sizes.Count(root.Shape);

        var leafName = new Dictionary<Node, (string Name, Access Access, long Offset)>();
        var args = new List<KernelArgument>();
        var columnIndex = new Dictionary<string, string>();
        // Windows of one source (an LSTM's four gates in each product) share one argument and one row
        // start, each adding its offset: eight spans and eight row starts would not fit in registers.
        var windowSource = new Dictionary<Node, string>();
        foreach (var leaf in k.Leaves)
        {
            if (leaf.Access == Access.Window && windowSource.TryGetValue(leaf.Leaf, out var shared))
            {
                leafName[leaf.Operand] = (shared, leaf.Access, leaf.Offset);
                continue;
            }
            string n = "x" + args.Count;
            leafName[leaf.Operand] = (n, leaf.Access, leaf.Offset);
            args.Add(new KernelArgument(n, leaf.Leaf, false));
            // A window (a slice read in place): row r starts at r·stride + offset of its source.
            if (leaf.Access == Access.Window)
            {
                windowSource[leaf.Leaf] = n;
                columnIndex[n] = $"r * {leaf.Stride}";
            }
            // A column leaf over the axes [From, Split) only (a per-channel vector): row r reads r mod their product.
            if (leaf.Access == Access.Column)
                columnIndex[n] = leaf.From == 0 ? "r" : $"r % {Sizes.Product(root.Shape.Skip(leaf.From).Take(k.Split - leaf.From))}";
        }
        args.Add(new KernelArgument("y", k.Into ?? root, true));
        // The extra outputs, y1, y2, ...: stored at the root's own index, after every load of the step, so
        // one may overwrite a leaf it reads element for element (a carry updated in place).
        var extras = k.ExtraOutputs.Select((e, i) => (Node: e, Name: "y" + (i + 1))).ToList();
        foreach (var (e, y) in extras) args.Add(new KernelArgument(y, e, true));

        var local = Locals(k);
        var body = new List<string> { $"int rows = {rows}, cols = {cols};" };
        // The operators, built once (their arguments, a batch-dependent scale included, resolved here).
        foreach (var node in k.Body)
            body.Add($"var f{local[node]} = {Construct(OperatorOf(node), Resolve)};");
        foreach (var leaf in leafName.Values.Where(l => l.Access == Access.Scalar))
            body.Add($"float {leaf.Name}s = {leaf.Name}[0];");

        body.Add("for (int r = 0; r < rows; r++) {");
        body.Add("int o = r * cols;");
        // A piece of a concat: its row r is a run of the concat's row r.
        string store = k.Into is null ? "o" : "yo";
        if (k.Into is not null) body.Add($"int yo = r * {k.IntoStride} + {k.IntoOffset};");
        foreach (var leaf in leafName.Values.Where(l => l.Access == Access.Column))
            body.Add($"float {leaf.Name}r = {leaf.Name}[{columnIndex[leaf.Name]}];");
        foreach (var window in windowSource.Values)
            body.Add($"int {window}o = {columnIndex[window]};");
        body.Add("int j = 0;");
        for (int w = 0; w < Widths.Length; w++)
        {
            var (vec, lanes) = Widths[w];
            body.Add($"{(w == 0 ? "if" : "else if")} ({vec}.IsHardwareAccelerated) {{");
            body.Add($"for (; j <= cols - {lanes}; j += {lanes}) {{");
            body.AddRange(Statements(k, leafName, vec));
            body.Add($"{vec}.StoreUnsafe(t{local[root]}, ref __Mem.GetReference(y), (uint)({store} + j));");
            foreach (var (e, y) in extras) body.Add($"{vec}.StoreUnsafe(t{local[e]}, ref __Mem.GetReference({y}), (uint)(o + j));");
            body.Add("}");
            body.Add("}");
        }
        body.Add("for (; j < cols; j++) {");
        body.AddRange(Statements(k, leafName, null));
        body.Add($"y[{store} + j] = t{local[root]};");
        foreach (var (e, y) in extras) body.Add($"{y}[o + j] = t{local[e]};");
        body.Add("}");
        body.Add("}");
        return new KernelCode(name, summary, args, body);
    }

    /// <summary>Each body node's number in the group: operator f{i}, temporary t{i}.</summary>
    public static Dictionary<Node, int> Locals(ElementwiseKernel k) => k.Body.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i);

    /// <summary>The operator struct of an elementwise node (every op fusion puts in a group has one).</summary>
    public static ElementwiseOperator OperatorOf(Node node) =>
        node.Op.Operator ?? throw new NotSupportedException($"{node.Op.Name} has no elementwise operator");

    /// <summary>
    /// C# that builds <paramref name="op"/>: <c>default(T)</c> without arguments, else <c>new T(...)</c>
    /// with constant arguments as float literals and batch-dependent ones through <paramref name="resolve"/>
    /// (given the argument and its index).
    /// </summary>
    public static string Construct(ElementwiseOperator op, Func<OperatorArgument, int, string> resolve) =>
        op.HasArguments
            ? $"new {op.TypeName}({string.Join(", ", op.Arguments.Select((a, i) => a.BatchPower == 0 ? Sizes.Float(a.Value) : resolve(a, i)))})"
            : $"default({op.TypeName})";

    /// <summary>A batch-dependent argument as an expression over the batch size n.</summary>
    public static string Resolve(OperatorArgument a, int index) => KernelEmitter.ScaleExpression(a.Value, a.BatchPower);

    /// <summary>C# that applies <paramref name="node"/>'s operator to the float operands <paramref name="a"/> (strided loops, GPU kernels).</summary>
    public static string Invoke(Node node, string[] a, Func<OperatorArgument, int, string> resolve) =>
        $"{Construct(OperatorOf(node), resolve)}.Invoke({string.Join(", ", a)})";

    /// <summary>The group's statements at one width (<paramref name="vec"/>, the alias of VectorNNN), or in float when null.</summary>
    private static IEnumerable<string> Statements(ElementwiseKernel k, Dictionary<Node, (string Name, Access Access, long Offset)> leaves, string? vec)
    {
        var local = Locals(k);
        string Operand(Node x)
        {
            if (x.Op is ConstantOp c) return vec is null ? Sizes.Float(c.Value) : $"{vec}.Create({Sizes.Float(c.Value)})";
            if (!leaves.TryGetValue(x, out var leaf)) return "t" + local[x];
            if (vec is null)
                return leaf.Access switch
                {
                    Access.Full => $"{leaf.Name}[o + j]",
                    Access.Row => $"{leaf.Name}[j]",
                    Access.Column => leaf.Name + "r",
                    Access.Window => $"{leaf.Name}[{leaf.Name}o + {leaf.Offset} + j]",
                    _ => leaf.Name + "s",
                };
            return leaf.Access switch
            {
                Access.Full => $"{vec}.LoadUnsafe(ref __Mem.GetReference({leaf.Name}), (uint)(o + j))",
                Access.Row => $"{vec}.LoadUnsafe(ref __Mem.GetReference({leaf.Name}), (uint)j)",
                Access.Column => $"{vec}.Create({leaf.Name}r)",
                Access.Window => $"{vec}.LoadUnsafe(ref __Mem.GetReference({leaf.Name}), (uint)({leaf.Name}o + {leaf.Offset} + j))",
                _ => $"{vec}.Create({leaf.Name}s)",
            };
        }

        foreach (var node in k.Body)
            yield return $"{(vec is null ? "float" : "var")} t{local[node]} = f{local[node]}.Invoke({string.Join(", ", node.Inputs.Select(Operand))});";
    }
}
