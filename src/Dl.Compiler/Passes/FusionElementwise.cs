using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>Elementwise groups and convolution epilogues.</summary>
public sealed partial class Fusion
{
    /// <summary>
    /// The most ops one elementwise loop computes. A longer chain (a loop of 2,000 scalings) is cut
    /// into loops of this many, each intermediate through memory: one method with thousands of
    /// temporaries took the C# compiler 16 s, against a fraction of that for the same work in pieces.
    /// </summary>
    public const int MaxGroupOps = 64;

    /// <summary>
    /// Grows a group backwards from <paramref name="root"/> through elementwise inputs (and the
    /// broadcasts autodiff puts before them) that have no other user and the root's shape, up to
    /// <see cref="MaxGroupOps"/> ops. An elementwise input that is read again after the root (or is a
    /// result) joins too, as an extra output the loop stores: it was going to memory anyway, and its own
    /// pass would read its inputs a second time. Constants are inlined; everything else is a leaf. When
    /// no loop layout reads every leaf, the root is computed on its own (a strided loop) and nothing is absorbed.
    /// </summary>
    private Kernel GroupElementwise(Node root)
    {
        // An extra output read by a node outside the group that runs before the root cannot be stored by
        // the root's loop (nor one a transcendental reads after it, below): it becomes a leaf and the
        // group is grown again without it.
        var leavesOnly = new HashSet<Node>();
        while (true)
        {
            var (body, extras, leaves, windows) = Grow(root, leavesOnly);
            var early = extras.Where(e => _users[e].Any(u => !body.Contains(u) && _position[u] < _position[root])
                || (Stored(e, body) && TranscendentalAfter(e, body))).ToList();
            if (early.Count == 0) return Group(root, body, extras, leaves, windows);
            leavesOnly.UnionWith(early);
        }
    }

    /// <summary>Whether the group must store <paramref name="e"/>: a result, or read outside the group. A value read twice, both times inside (e·e), is not.</summary>
    private bool Stored(Node e, HashSet<Node> body) => _roots.Contains(e) || _users[e].Any(u => !body.Contains(u));

    /// <summary>
    /// Whether a transcendental op of the group (<see cref="Op.IsTranscendental"/>: sigmoid, tanh, exp...)
    /// reads <paramref name="e"/> or a value computed from it. Such an extra output is left to a loop of its own: its value goes to memory either
    /// way, and two loops each with one long chain of dependent vector ops ran faster than one loop with
    /// both chains end to end (an LSTM's inference step, c' then tanh(c'): 5 % slower as one loop).
    /// </summary>
    private bool TranscendentalAfter(Node e, HashSet<Node> body)
    {
        var stack = new Stack<Node>(_users[e].Where(body.Contains));
        var seen = new HashSet<Node>();
        while (stack.Count > 0)
        {
            var u = stack.Pop();
            if (!seen.Add(u)) continue;
            if (u.Op.IsTranscendental) return true;
            foreach (var v in _users[u]) if (body.Contains(v)) stack.Push(v);
        }
        return false;
    }

    private (HashSet<Node> Body, List<Node> Extras, List<Node> Leaves, List<Node> Windows) Grow(Node root, HashSet<Node> leavesOnly)
    {
        var body = new HashSet<Node> { root };
        var extras = new List<Node>();
        var leaves = new List<Node>();
        var windows = new List<Node>();   // slices of a wider tensor the loop may read in place
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            foreach (var input in n.Inputs.Distinct())
            {
                if (body.Contains(input) || input.Op is ConstantOp) continue;
                bool joinable = input.Shape.Equals(root.Shape) && !_absorbed.Contains(input) && !_kernels.ContainsKey(input)
                    && !leavesOnly.Contains(input) && body.Count < MaxGroupOps;
                // A value read only here joins; one read elsewhere too (or a result) joins as an extra output.
                bool single = SingleUse(input);
                if (joinable && (single ? IsElementwise(input) || input.Op is BroadcastToOp : IsElementwise(input) && input.Type == DType.Float32))
                {
                    body.Add(input);
                    if (!single) extras.Add(input);
                    stack.Push(input);
                }
                else if (IsWindow(input, root.Shape) && SingleUse(input) && !_kernels.ContainsKey(input))
                {
                    if (!windows.Contains(input)) windows.Add(input);
                }
                else if (!leaves.Contains(input)) leaves.Add(input);
            }
        }
        return (body, extras, leaves, windows);
    }

    private Kernel Group(Node root, HashSet<Node> body, List<Node> extras, List<Node> leaves, List<Node> windows)
    {
        var layout = windows.Count > 0 ? Layout(leaves, root.Shape, windows) : null;
        if (layout is not null) foreach (var w in windows) _absorbed.Add(w);
        else
        {
            // No layout reads every slice in place: they are copied by kernels of their own.
            foreach (var w in windows) if (!leaves.Contains(w)) leaves.Add(w);
            layout = Layout(leaves, root.Shape);
        }
        if (layout is null) return new SingleKernel(root);   // unusual broadcast: a strided loop instead
        foreach (var b in body) if (b != root) _absorbed.Add(b);
        var ordered = body.OrderBy(n => _position[n]).ToList();
        var stored = extras.Where(e => Stored(e, body)).OrderBy(n => _position[n]).ToList();
        return new ElementwiseKernel(root, ordered, layout.Value.Leaves, layout.Value.Split) { ExtraOutputs = stored };
    }

    /// <summary>
    /// The loop layout of a group: one flat loop when every leaf is full-size or a scalar, else the
    /// split of the root's axes into [rows, cols] (trying the last axis first) at which every leaf is
    /// full, a scalar, a row vector or a column vector.
    /// </summary>
    private static (List<LeafAccess> Leaves, int Split)? Layout(List<Node> leaves, Shape root, List<Node>? windows = null)
    {
        if (windows is { Count: > 0 })
        {
            // Every window is a slice along one axis: the loop splits there, a row of the root being a
            // contiguous run of each window's source.
            int axis = ((SliceOp)windows[0].Op).Axis;
            if (windows.Any(w => ((SliceOp)w.Op).Axis != axis)) return null;
            var access = leaves.Select(l => Classify(l, root, axis)).ToList();
            if (access.Any(a => a is null)) return null;
            return (access.Select(a => a!).Concat(windows.Select(w => Window(w))).ToList(), axis);
        }
        if (leaves.All(l => l.Shape.Equals(root) || IsScalarLike(l.Shape)))
            return (leaves.Select(l => new LeafAccess(l, l.Shape.Equals(root) ? Access.Full : Access.Scalar)).ToList(), 0);
        for (int split = root.Rank - 1; split >= 1; split--)
        {
            var access = leaves.Select(l => Classify(l, root, split)).ToList();
            if (access.All(a => a is not null)) return (access.Select(a => a!).ToList(), split);
        }
        return null;
    }

    /// <summary>
    /// A slice the root's loop can read in place: along an axis past the batch's, of a float tensor whose
    /// axes from there on have fixed sizes (so a row's stride is a constant), with the root's shape.
    /// </summary>
    private static bool IsWindow(Node n, Shape root) =>
        n.Op is SliceOp s && s.Axis >= 1 && n.Shape.Equals(root) && n.Type == DType.Float32 && n[0].Type == DType.Float32
        && n[0].Shape.Skip(s.Axis).All(d => !d.IsBatch);

    /// <summary>The window access of a slice: its source's row stride and the slice's start within a row.</summary>
    private static LeafAccess Window(Node slice)
    {
        var s = (SliceOp)slice.Op;
        var source = slice[0].Shape;
        long inner = source.Skip(s.Axis + 1).Aggregate(1L, (p, d) => p * d.Size);
        return new LeafAccess(slice[0], Access.Window, 0, slice, s.Start * inner, source[s.Axis].Size * inner);
    }

    private static bool IsScalarLike(Shape s) => s.All(d => d == Dim.Of(1));

    /// <summary>How a leaf broadcasts over the root viewed as [rows, cols], cols = the root's axes from <paramref name="split"/> on.</summary>
    public static LeafAccess? Classify(Node leaf, Shape root, int split)
    {
        var shape = leaf.Shape;
        if (shape.Equals(root)) return new LeafAccess(leaf, Access.Full);
        if (IsScalarLike(shape)) return new LeafAccess(leaf, Access.Scalar);
        if (shape.Rank > root.Rank) return null;
        var padded = Enumerable.Repeat(Dim.Of(1), root.Rank - shape.Rank).Concat(shape).ToList();
        bool OnesFrom(int a, int b) => Enumerable.Range(a, b - a).All(i => padded[i] == Dim.Of(1));
        bool EqualFrom(int a, int b) => Enumerable.Range(a, b - a).All(i => padded[i] == root[i]);
        if (OnesFrom(0, split) && EqualFrom(split, root.Rank)) return new LeafAccess(leaf, Access.Row);
        if (OnesFrom(split, root.Rank))
        {
            // Equal to the root on a run of axes ending at the split, ones before it.
            int from = split;
            while (from > 0 && padded[from - 1] == root[from - 1]) from--;
            if (OnesFrom(0, from)) return new LeafAccess(leaf, Access.Column, from);
        }
        return null;
    }

    /// <summary>
    /// A Concat whose every piece is the output of an elementwise loop read by nothing else (the gate
    /// gradients an LSTM's backward step joins) is not a copy: each loop, laid out with its rows split at
    /// the concat's axis, writes its piece at its place in the concat's rows.
    /// </summary>
    private void WritePiecesInPlace(Node concat, Dictionary<Node, Kernel> kernels)
    {
        int axis = ((ConcatOp)concat.Op).Axis;
        if (axis < 1 || concat.Type != DType.Float32 || concat.Shape.Skip(axis).Any(d => d.IsBatch)) return;
        if (concat.Inputs.Distinct().Count() != concat.Inputs.Count) return;
        var pieces = new List<ElementwiseKernel>();
        foreach (var piece in concat.Inputs)
        {
            if (!SingleUse(piece) || !kernels.TryGetValue(piece, out var k) || k is not ElementwiseKernel { Into: null } e || e.Output != piece) return;
            var laid = AtSplit(e, axis);
            if (laid is null) return;
            pieces.Add(laid);
        }
        long inner = concat.Shape.Skip(axis + 1).Aggregate(1L, (p, d) => p * d.Size), stride = concat.Shape[axis].Size * inner, at = 0;
        for (int i = 0; i < pieces.Count; i++)
        {
            var e = pieces[i];
            kernels[concat.Inputs[i]] = new ElementwiseKernel(e.Output, e.Body, e.Leaves, e.Split) { Into = concat, IntoOffset = at, IntoStride = stride, ExtraOutputs = e.ExtraOutputs };
            at += concat.Inputs[i].Shape[axis].Size * inner;
        }
        kernels.Remove(concat);
        _absorbed.Add(concat);
    }

    /// <summary>The same loop with its rows split at <paramref name="split"/>, or null when a leaf cannot be read that way.</summary>
    private static ElementwiseKernel? AtSplit(ElementwiseKernel k, int split)
    {
        if (k.Split == split) return k;
        if (k.Leaves.Any(l => l.Access == Access.Window)) return null;   // windows fix their own split
        var leaves = k.Leaves.Select(l => Classify(l.Leaf, k.Output.Shape, split)).ToList();
        return leaves.Any(l => l is null) ? null : new ElementwiseKernel(k.Output, k.Body, leaves.Select(l => l!).ToList(), split) { ExtraOutputs = k.ExtraOutputs };
    }

    /// <summary>A convolution with the per-channel bias add and activation that follow it, when nothing else reads the intermediates.</summary>
    private Node MatchConv(Node conv, out Kernel kernel)
    {
        var fused = new List<Node> { conv };
        Node output = conv;
        Node? bias = null;
        Node? activation = null;
        if (SingleUse(output) && _users[output][0] is { Op: AddOp } add && ChannelBiasOf(add, output) is { } b)
        {
            bias = b; output = add; fused.Add(add);
        }
        if (SingleUse(output) && _users[output][0] is { Op: UnaryOp } act)
        {
            activation = act; output = act; fused.Add(act);
        }
        foreach (var f in fused.Skip(1)) _absorbed.Add(f);
        kernel = new ConvKernel(conv, bias, activation, fused);
        return output;
    }

    /// <summary>For add = y + b (either order) with b a per-channel vector of shape [C,1,1] or [1,C,1,1], returns b.</summary>
    private static Node? ChannelBiasOf(Node add, Node y)
    {
        var other = add[0] == y ? add[1] : add[1] == y ? add[0] : null;
        if (other is null || other == y || !add.Shape.Equals(y.Shape) || other.Type != DType.Float32) return null;
        var c = y.Shape[1];
        var s = other.Shape;
        bool perChannel = (s.Rank == 3 && s[0] == c && s[1] == Dim.Of(1) && s[2] == Dim.Of(1))
            || (s.Rank == 4 && s[0] == Dim.Of(1) && s[1] == c && s[2] == Dim.Of(1) && s[3] == Dim.Of(1));
        return perChannel ? other : null;
    }
}
