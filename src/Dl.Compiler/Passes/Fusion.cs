using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Groups the nodes one entry point computes into kernels: bias, activation and ReLU-backward
/// masks into the GEMM epilogue; bias and activation into the convolution's; softmax with cross-entropy (and its gradient); chains of
/// elementwise ops into one vectorised loop. Every other node is a kernel of its own. Reshapes are
/// free (they alias their input) and transposes feeding only matrix products become GEMM flags.
/// </summary>
public sealed partial class Fusion
{
    private readonly List<Node> _order;
    private readonly Dictionary<Node, int> _position = new();   // index in _order
    private readonly HashSet<Node> _roots;
    private readonly IReadOnlyList<Node> _rootOrder;
    private readonly Dictionary<Node, List<Node>> _users = new();
    private readonly HashSet<Node> _absorbed = new();
    private readonly Dictionary<Node, Kernel> _kernels = new();   // keyed by the kernel's last (output) node

    private Fusion(IReadOnlyList<Node> roots)
    {
        _order = GraphBuilder.Topological(roots);
        _roots = new HashSet<Node>(roots);
        _rootOrder = roots;
        for (int i = 0; i < _order.Count; i++) _position[_order[i]] = i;
        foreach (var n in _order) _users[n] = new List<Node>();
        foreach (var n in _order)
            foreach (var i in n.Inputs.Distinct())
                _users[i].Add(n);
    }

    public static List<Kernel> Lower(IReadOnlyList<Node> roots) => new Fusion(roots).Run();

    private List<Kernel> Run()
    {
        var kernels = _kernels;
        foreach (var sce in _order.Where(n => n.Op is SoftmaxCrossEntropyOp))
            MatchSoftmaxCrossEntropy(sce, kernels);
        foreach (var gradient in _order.Where(IsCrossEntropyGradient))
            if (!_absorbed.Contains(gradient) && !kernels.ContainsKey(gradient)) MatchSoftmaxCrossEntropy(null, kernels, gradient);
        foreach (var mm in _order.Where(n => n.Op is MatMulOp or TransposedMatMulOp))
            kernels[MatchGemm(mm, out var k)] = k;
        foreach (var conv in _order.Where(n => n.Op is Conv2dOp))
            kernels[MatchConv(conv, out var k)] = k;

        for (int i = _order.Count - 1; i >= 0; i--)
        {
            var n = _order[i];
            if (_absorbed.Contains(n) || kernels.ContainsKey(n) || IsFree(n)) continue;
            kernels[n] = IsElementwise(n) ? GroupElementwise(n) : new SingleKernel(n);
        }

        foreach (var concat in _order.Where(n => n.Op is ConcatOp && kernels.ContainsKey(n)))
            WritePiecesInPlace(concat, kernels);

        // Emit in the topological position of each kernel's output: inputs are always ready.
        var ordered = DropUnread(kernels.OrderBy(kv => _position[kv.Key]).Select(kv => kv.Value).ToList());
        // Elementwise loops inline constants; any other kernel reading one, and a result that folded to
        // a constant (an output times zero, a gradient that does not depend on the batch), need it
        // filled in memory first.
        var fills = ordered.SelectMany(k => k.Reads).Concat(_rootOrder.Select(MemoryPlanner.Base)).Where(r => r.Op is ConstantOp)
            .Distinct().Select(c => (Kernel)new SingleKernel(c));
        return fills.Concat(ordered).ToList();
    }

    /// <summary>
    /// Fusion can leave a node that only a fused kernel used (the Step of a ReLU mask, say): keep a
    /// kernel only if a root or a kept kernel reads what it writes.
    /// </summary>
    private List<Kernel> DropUnread(List<Kernel> kernels)
    {
        var wanted = new HashSet<Node>();
        void Want(Node n)
        {
            if (!wanted.Add(n)) return;
            if (IsFree(n)) foreach (var i in n.Inputs) Want(i);
        }
        foreach (var r in _roots) Want(r);
        var kept = new List<Kernel>();
        for (int i = kernels.Count - 1; i >= 0; i--)
        {
            var k = kernels[i];
            if (!k.Writes.Any(wanted.Contains)) continue;
            kept.Add(k);
            foreach (var r in k.Reads) Want(r);
        }
        kept.Reverse();
        return kept;
    }

    /// <summary>Sources need no kernel; reshapes alias; a transpose read only by GEMMs is a flag.</summary>
    private bool IsFree(Node n) =>
        n.Op is SourceOp || n.Op is ReshapeOp ||
        (IsMatrixTranspose(n) && !_roots.Contains(n) && _users[n].All(u => u.Op is MatMulOp));

    private static bool IsMatrixTranspose(Node n) => n.Op is TransposeOp t && t.Perm.Length == 2;

    private static bool IsElementwise(Node n) => n.Op.Class == OpClass.Elementwise && n.Op is not BroadcastToOp;

    private bool SingleUse(Node n) => !_roots.Contains(n) && _users[n].Count == 1;

    private Node MatchGemm(Node mm, out Kernel kernel)
    {
        Node a = mm[0], b = mm[1];
        // aᵀ·b over rows: the GEMM reads a transposed, whatever its rank (there is no transpose node to fold).
        bool rowsTransposed = mm.Op is TransposedMatMulOp;
        bool ta = !rowsTransposed && IsMatrixTranspose(a), tb = !rowsTransposed && IsMatrixTranspose(b);
        var fused = new List<Node> { mm };
        Node output = mm;
        Node? bias = null, mask = null;
        Node? activation = null;

        if (SingleUse(output) && _users[output][0] is { Op: BiasAddOp } add && add[0] == output)
        {
            bias = add[1]; output = add; fused.Add(add);
        }
        if (SingleUse(output) && _users[output][0] is { Op: UnaryOp } act)
        {
            activation = act; output = act; fused.Add(act);
        }
        else if (bias is null && SingleUse(output) && _users[output][0] is { Op: MulOp } mul && ReluMaskOf(mul, output) is { } m)
        {
            fused.Add(mul[0] == output ? mul[1] : mul[0]);   // the Step node, named in the kernel, not computed
            fused.Add(mul);
            mask = m; output = mul;
        }
        foreach (var f in fused.Skip(1).Where(f => f.Op is not StepOp)) _absorbed.Add(f);
        _absorbed.Remove(output);
        kernel = new GemmKernel(mm, ta ? a[0] : a, ta || rowsTransposed, tb ? b[0] : b, tb, bias, activation, mask, fused);
        return output;
    }

    /// <summary>For mul = x · Step(h) (either order), returns h: the ReLU output whose sign masks x.</summary>
    private static Node? ReluMaskOf(Node mul, Node x)
    {
        var other = mul[0] == x ? mul[1] : mul[1] == x ? mul[0] : null;
        return other is { Op: StepOp } && other.Shape.Equals(x.Shape) && mul.Shape.Equals(x.Shape) ? other[0] : null;
    }

    /// <summary>(Softmax(z) - OneHot(labels)) scaled: the gradient of cross-entropy from logits.</summary>
    private static bool IsCrossEntropyGradient(Node n) => CrossEntropyGradientParts(n) is not null;

    private static (Node Logits, Node Labels, ScaleOp? Scale, Node Sub)? CrossEntropyGradientParts(Node n)
    {
        var scale = n.Op as ScaleOp;
        var sub = scale is null ? n : n[0];
        if (sub.Op is SubOp && sub[0].Op is SoftmaxOp && sub[1].Op is OneHotOp && sub[0].Shape.Equals(sub[1].Shape))
            return (sub[0][0], sub[1][0], scale, sub);
        return null;
    }

    private void MatchSoftmaxCrossEntropy(Node? loss, Dictionary<Node, Kernel> kernels, Node? gradient = null)
    {
        Node logits = loss is null ? CrossEntropyGradientParts(gradient!)!.Value.Logits : loss[0];
        Node labels = loss is null ? CrossEntropyGradientParts(gradient!)!.Value.Labels : loss[1];
        // The outermost match (the Scale around the Sub) when both match.
        gradient ??= _order.LastOrDefault(n => CrossEntropyGradientParts(n) is { } p && p.Logits == logits && p.Labels == labels && !_absorbed.Contains(n));
        var fused = new List<Node>();
        ScaleOp? scale = null;
        if (gradient is not null)
        {
            var parts = CrossEntropyGradientParts(gradient)!.Value;
            // The softmax and one-hot must be used only here, or they would need their own buffers anyway.
            bool privateParts = _users[parts.Sub[0]].Count == 1 && _users[parts.Sub[1]].Count == 1 && (parts.Scale is null || _users[parts.Sub].Count == 1);
            if (privateParts)
            {
                fused.AddRange(new[] { parts.Sub[0], parts.Sub[1], parts.Sub });
                if (parts.Scale is not null) fused.Add(gradient);
                scale = parts.Scale;
                foreach (var f in fused) _absorbed.Add(f);
            }
            else gradient = null;
        }
        if (loss is not null) fused.Add(loss);
        if (loss is null && gradient is null) return;
        var kernel = new SoftmaxCrossEntropyKernel(logits, labels, loss, gradient, scale, fused);
        // Keyed by whichever output comes first in the order: it reads only the logits and labels, which
        // precede both outputs, and a composite loss (cross-entropy + a penalty) reads the loss before
        // the gradient's position.
        var key = loss is null ? gradient! : gradient is null ? loss : (_position[loss] < _position[gradient] ? loss : gradient);
        foreach (var w in kernel.Writes) _absorbed.Add(w);
        _absorbed.Remove(key);
        kernels[key] = kernel;
    }
}
