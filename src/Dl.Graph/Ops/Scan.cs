using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Dl.Graph;

/// <summary>What a placeholder of a loop body stands for at each step.</summary>
public enum LoopSlotKind
{
    /// <summary>The carried state as this step receives it (the initial value at the first step).</summary>
    Carry,
    /// <summary>This step's slice of a sequence input (the loop axis removed).</summary>
    Slice,
    /// <summary>A loop-invariant value from outside (a weight): the same at every step.</summary>
    Capture,
}

/// <summary>A placeholder inside a loop body, bound by the loop at each step (never by a caller).</summary>
public sealed class LoopSlotOp : SourceOp
{
    public LoopSlotOp(LoopSlotKind kind, int index, Shape shape, DType type) : base(shape, type)
    {
        Kind = kind;
        Index = index;
    }

    public LoopSlotKind Kind { get; }
    public int Index { get; }
    public override string Name => "LoopSlot";
    public override string Attributes => $"{Kind} {Index} {Shape}{(Type == DType.Int32 ? " i32" : "")}";
}

/// <summary>
/// The body of a loop (<see cref="ScanOp"/>): a graph of its own over carry, slice and capture
/// placeholders (<see cref="LoopSlotOp"/>), and the carry it hands to the next step. It is frozen
/// once made: its <see cref="Signature"/> (the body as text) is part of every loop op's identity.
/// </summary>
public sealed class ScanBody
{
    public ScanBody(GraphBuilder builder, IReadOnlyList<Node> carries, IReadOnlyList<Node> carriesOut, IReadOnlyList<Node> slices, IReadOnlyList<Node> captures)
    {
        Builder = builder;
        Carries = carries.ToList();
        CarriesOut = carriesOut.ToList();
        Slices = slices.ToList();
        Captures = captures.ToList();
        if (Carries.Count != CarriesOut.Count)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Scan: the body receives {Carries.Count} carried values but hands on {CarriesOut.Count}");
        CheckSlots(Carries, LoopSlotKind.Carry);
        CheckSlots(Slices, LoopSlotKind.Slice);
        CheckSlots(Captures, LoopSlotKind.Capture);
        for (int i = 0; i < Carries.Count; i++)
        {
            var (inShape, outShape) = (Carries[i].Shape, CarriesOut[i].Shape);
            if (!inShape.Equals(outShape) || Carries[i].Type != CarriesOut[i].Type)
                throw new ShapeException(ShapeErrorKind.Mismatch,
                    $"Scan: the body turns carry {i} of shape {inShape} into shape {outShape}; a loop's carry must keep its shape from step to step");
        }
        foreach (var n in builder.Nodes)
        {
            if (n.Op is InputOp or ParamOp or StateOp or CarriedStateOp)
                throw new ShapeException(ShapeErrorKind.BadArgument,
                    $"Scan: the body uses {n.Op.Key} directly; a loop reaches outside values only through its captures");
            if (n.Op is LoopSlotOp slot && !SlotsOf(slot.Kind).Contains(n))
                throw new ShapeException(ShapeErrorKind.BadArgument, $"Scan: the body's placeholder {slot.Key} is not one of its declared slots");
        }
        Signature = Describe();
    }

    public GraphBuilder Builder { get; }
    public IReadOnlyList<Node> Carries { get; }
    public IReadOnlyList<Node> CarriesOut { get; }
    public IReadOnlyList<Node> Slices { get; }
    public IReadOnlyList<Node> Captures { get; }
    /// <summary>The body as text, one node a line, then which nodes carry on: equal text, equal body.</summary>
    public string Signature { get; }

    // Op identity is structural (OpIdentity): two loops over bodies with the same text are the same loop.
    public override bool Equals(object? obj) => obj is ScanBody other && other.Signature == Signature;
    public override int GetHashCode() => Signature.GetHashCode();

    /// <summary>The number of outer inputs a loop over this body takes: initial carries, sequences, captures.</summary>
    public int InputCount => Carries.Count + Slices.Count + Captures.Count;

    public IReadOnlyList<Node> SlotsOf(LoopSlotKind kind) => kind switch
    {
        LoopSlotKind.Carry => Carries,
        LoopSlotKind.Slice => Slices,
        _ => Captures,
    };

    /// <summary>The outer input that binds a slot: its position among the loop node's inputs.</summary>
    public int InputIndexOf(LoopSlotOp slot) => slot.Kind switch
    {
        LoopSlotKind.Carry => slot.Index,
        LoopSlotKind.Slice => Carries.Count + slot.Index,
        _ => Carries.Count + Slices.Count + slot.Index,
    };

    private void CheckSlots(IReadOnlyList<Node> slots, LoopSlotKind kind)
    {
        for (int i = 0; i < slots.Count; i++)
            if (slots[i].Op is not LoopSlotOp s || s.Kind != kind || s.Index != i)
                throw new ArgumentException($"Scan: {kind} {i} must be the placeholder LoopSlot({kind} {i}), got {slots[i]}");
    }

    private string Describe()
    {
        var sb = new StringBuilder();
        foreach (var n in Builder.Nodes) sb.Append(n).Append(';');
        sb.Append(" carry ").Append(string.Join(",", CarriesOut.Select(n => "%" + n.Id)));
        return sb.ToString();
    }
}

/// <summary>Makes a loop body: declare its placeholders, build on <see cref="Graph"/>, then <see cref="Finish"/>.</summary>
public sealed class ScanBodyBuilder
{
    private readonly List<Node> _carries = new(), _slices = new(), _captures = new();

    public GraphBuilder Graph { get; } = new();

    public Node Carry(Shape shape, DType type = DType.Float32) => Add(_carries, LoopSlotKind.Carry, shape, type);
    public Node Slice(Shape shape, DType type = DType.Float32) => Add(_slices, LoopSlotKind.Slice, shape, type);
    public Node Capture(Shape shape, DType type = DType.Float32) => Add(_captures, LoopSlotKind.Capture, shape, type);

    /// <summary>Freezes the body with the carry each step hands on (one per <see cref="Carry"/>, same shapes).</summary>
    public ScanBody Finish(params Node[] carriesOut) => new(Graph, _carries, carriesOut, _slices, _captures);

    private Node Add(List<Node> list, LoopSlotKind kind, Shape shape, DType type)
    {
        var node = Graph.Apply(new LoopSlotOp(kind, list.Count, shape, type));
        list.Add(node);
        return node;
    }
}

/// <summary>Which value of a loop a <see cref="ScanOp"/> node stands for.</summary>
public readonly struct ScanSelection : IEquatable<ScanSelection>
{
    private ScanSelection(bool final, int index, int axis) { IsFinal = final; Index = index; Axis = axis; }

    /// <summary>The final value of carry <paramref name="carry"/>.</summary>
    public static ScanSelection Final(int carry) => new(true, carry, 0);

    /// <summary>Body node <paramref name="bodyNode"/> (by id) at every step, stacked along <paramref name="axis"/>.</summary>
    public static ScanSelection Stacked(int bodyNode, int axis) => new(false, bodyNode, axis);

    public bool IsFinal { get; }
    /// <summary>The carry's position for a final value; the body node's id for a stacked one.</summary>
    public int Index { get; }
    public int Axis { get; }

    public bool Equals(ScanSelection other) => IsFinal == other.IsFinal && Index == other.Index && Axis == other.Axis;
    public override bool Equals(object? obj) => obj is ScanSelection s && Equals(s);
    public override int GetHashCode() => (IsFinal ? 1 : 0) + 2 * Index + 7919 * Axis;
    public override string ToString() => IsFinal ? $"final {Index}" : $"stack %{Index} axis {Axis}";
}

/// <summary>
/// A loop in the spirit of JAX's <c>lax.scan</c>: the body runs <see cref="Length"/> times over a
/// carried state, each step seeing its slice of every sequence input (taken along that input's
/// axis in <see cref="SliceAxes"/>) and the loop-invariant captures; in <see cref="Reverse"/> order
/// the steps run from the last slice to the first. Inputs: the initial carries, the sequences, the
/// captures, in the body's slot order.
///
/// A loop has several results (each final carry, any body value stacked over the steps), and a node
/// has one: so each result is its own node, a loop op that differs only in <see cref="Selection"/>
/// over the same inputs. The compiler runs all such nodes as one loop. The VJP (see
/// <c>ScanOp.Vjp</c> in ScanVjp.cs) is a reverse loop over the body's own VJP.
/// </summary>
public sealed partial class ScanOp : Op
{
    public ScanOp(ScanBody body, int length, IReadOnlyList<int> sliceAxes, bool reverse, ScanSelection selection)
    {
        if (length < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Scan: a loop needs at least one step, got length {length}");
        if (sliceAxes.Count != body.Slices.Count)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Scan: the body takes {body.Slices.Count} sequence slices, got {sliceAxes.Count} slice axes");
        Body = body;
        Length = length;
        SliceAxes = sliceAxes.ToArray();
        Reverse = reverse;
        Selection = selection;
        if (selection.IsFinal && (selection.Index < 0 || selection.Index >= body.Carries.Count))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Scan: the body has {body.Carries.Count} carries, there is no carry {selection.Index}");
        if (!selection.IsFinal && (selection.Index < 0 || selection.Index >= body.Builder.Nodes.Count))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Scan: the body has no node %{selection.Index}");
    }

    public ScanBody Body { get; }
    public int Length { get; }
    public IReadOnlyList<int> SliceAxes { get; }
    public bool Reverse { get; }
    public ScanSelection Selection { get; }

    /// <summary>The body node a stacked selection stacks.</summary>
    public Node? StackedNode => Selection.IsFinal ? null : Body.Builder.Nodes[Selection.Index];

    /// <summary>The carry whose hand-on value a stacked selection stacks (the hidden states of every step), or -1.</summary>
    public int StackedCarry
    {
        get
        {
            if (StackedNode is not { } stacked) return -1;
            for (int i = 0; i < Body.CarriesOut.Count; i++)
                if (Body.CarriesOut[i] == stacked) return i;
            return -1;
        }
    }

    public override string Name => "Scan";
    public override OpClass Class => OpClass.Composite;
    public override string Attributes =>
        $"{(Reverse ? "reverse " : "")}{Length} steps, slices along [{string.Join(",", SliceAxes)}], {Selection}; body {Body.Signature}";

    /// <summary>The same loop, another of its results: the compiler groups such nodes into one loop.</summary>
    public ScanOp With(ScanSelection selection) => new(Body, Length, SliceAxes, Reverse, selection);

    /// <summary>True when <paramref name="other"/> is the same loop (maybe another result of it).</summary>
    public bool SameLoop(ScanOp other) =>
        other.Length == Length && other.Reverse == Reverse && other.SliceAxes.SequenceEqual(SliceAxes) && other.Body.Signature == Body.Signature;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var body = Body;
        if (inputs.Count != body.InputCount)
            throw new ShapeException(ShapeErrorKind.BadArgument,
                $"Scan: the body takes {body.Carries.Count} initial carries, {body.Slices.Count} sequences and {body.Captures.Count} captures ({body.InputCount} inputs), got {inputs.Count} inputs");
        for (int i = 0; i < body.Carries.Count; i++)
            Expect(inputs[i], body.Carries[i], $"initial carry {i}");
        for (int j = 0; j < body.Slices.Count; j++)
        {
            var xs = inputs[body.Carries.Count + j];
            int axis = SliceAxes[j];
            if (axis < 0 || axis >= xs.Shape.Rank)
                throw new ShapeException(ShapeErrorKind.BadAxis, $"Scan: sequence {j} of shape {xs.Shape} has no axis {axis} to loop over");
            var t = xs.Shape[axis];
            if (t.IsBatch || t.Size != Length)
                throw new ShapeException(ShapeErrorKind.Mismatch, $"Scan: sequence {j} of shape {xs.Shape} has {t} steps along axis {axis}, the loop runs {Length}");
            var slice = new Shape(xs.Shape.Where((_, a) => a != axis));
            var slot = body.Slices[j];
            if (!slice.Equals(slot.Shape) || xs.Type != slot.Type)
                throw new ShapeException(ShapeErrorKind.Mismatch, $"Scan: a step's slice of sequence {j} ({xs.Shape} along axis {axis}) has shape {slice}, the body expects {slot.Shape}");
        }
        for (int k = 0; k < body.Captures.Count; k++)
            Expect(inputs[body.Carries.Count + body.Slices.Count + k], body.Captures[k], $"capture {k}");

        if (Selection.IsFinal)
            return (body.Carries[Selection.Index].Shape, body.Carries[Selection.Index].Type);
        var b = StackedNode!;
        if (Selection.Axis < 0 || Selection.Axis > b.Shape.Rank)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Scan: cannot stack a value of shape {b.Shape} along axis {Selection.Axis}");
        return (Stack(b.Shape, Selection.Axis, Length), b.Type);
    }

    /// <summary><paramref name="shape"/> with a new axis of <paramref name="length"/> steps at <paramref name="axis"/>.</summary>
    public static Shape Stack(Shape shape, int axis, int length)
    {
        var dims = shape.ToList();
        dims.Insert(axis, Dim.Of(length));
        return new Shape(dims);
    }

    private static void Expect(Node outer, Node slot, string what)
    {
        if (!outer.Shape.Equals(slot.Shape) || outer.Type != slot.Type)
            throw new ShapeException(ShapeErrorKind.Mismatch, $"Scan: {what} has shape {outer.Shape}{(outer.Type == DType.Int32 ? " i32" : "")}, the body expects {slot.Shape}{(slot.Type == DType.Int32 ? " i32" : "")}");
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context)
    {
        var stacked = StackedNode;
        var (finals, steps) = Run(inputs, stacked is null ? Array.Empty<Node>() : new[] { stacked }, context);
        return stacked is null ? finals[Selection.Index] : StackSteps(steps.Select(s => s[0]).ToList(), Selection.Axis);
    }

    /// <summary>
    /// Runs the loop in the reference evaluator: the final carries, and for each step (in time
    /// order, whatever the direction) the values of <paramref name="recorded"/> body nodes.
    /// </summary>
    public (TensorValue[] Finals, TensorValue[][] Steps) Run(IReadOnlyList<TensorValue> inputs, IReadOnlyList<Node> recorded, EvalContext context)
    {
        var body = Body;
        var carry = inputs.Take(body.Carries.Count).ToArray();
        var steps = new TensorValue[Length][];
        var roots = body.CarriesOut.Concat(recorded).ToList();
        for (int s = 0; s < Length; s++)
        {
            int t = Reverse ? Length - 1 - s : s;
            TensorValue Bind(Node n)
            {
                var slot = (LoopSlotOp)n.Op;
                var value = inputs[body.InputIndexOf(slot)];
                return slot.Kind switch
                {
                    LoopSlotKind.Carry => carry[slot.Index],
                    LoopSlotKind.Slice => SliceStep(value, SliceAxes[slot.Index], t),
                    _ => value,
                };
            }
            var values = Evaluator.Run(roots, Bind, context);
            steps[t] = recorded.Select(r => values[r]).ToArray();
            carry = body.CarriesOut.Select(c => values[c]).ToArray();
        }
        return (carry, steps);
    }

    /// <summary>Step <paramref name="t"/> of <paramref name="xs"/> along <paramref name="axis"/> (that axis removed).</summary>
    public static TensorValue SliceStep(TensorValue xs, int axis, int t)
    {
        var (outer, length, inner) = Split(xs.Dims, axis);
        var dims = xs.Dims.Where((_, a) => a != axis).ToArray();
        var data = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            Array.Copy(xs.Data, (o * length + t) * inner, data, o * inner, inner);
        return new TensorValue(dims, data);
    }

    /// <summary>The steps' values stacked along a new axis <paramref name="axis"/>.</summary>
    public static TensorValue StackSteps(IReadOnlyList<TensorValue> steps, int axis)
    {
        var dims = steps[0].Dims.ToList();
        dims.Insert(axis, steps.Count);
        var (outer, length, inner) = Split(dims.ToArray(), axis);
        var data = new double[outer * length * inner];
        for (int t = 0; t < length; t++)
            for (int o = 0; o < outer; o++)
                Array.Copy(steps[t].Data, o * inner, data, (o * length + t) * inner, inner);
        return new TensorValue(dims.ToArray(), data);
    }

    /// <summary>Elements before, along and after <paramref name="axis"/>: a row-major tensor is [outer, length, inner].</summary>
    public static (int Outer, int Length, int Inner) Split(int[] dims, int axis) =>
        (dims.Take(axis).Aggregate(1, (p, d) => p * d), dims[axis], dims.Skip(axis + 1).Aggregate(1, (p, d) => p * d));
}

/// <summary>The outer side of one loop: its op's common part and inputs; each result is a node.</summary>
public sealed class ScanCall
{
    internal ScanCall(GraphBuilder g, ScanOp loop, Node[] inputs) { Graph = g; Loop = loop; Inputs = inputs; }

    public GraphBuilder Graph { get; }
    public ScanOp Loop { get; }
    public IReadOnlyList<Node> Inputs { get; }

    /// <summary>The final value of carry <paramref name="carry"/>.</summary>
    public Node Final(int carry = 0) => Graph.Apply(Loop.With(ScanSelection.Final(carry)), Inputs.ToArray());

    /// <summary>Body node <paramref name="bodyNode"/> at every step, stacked along <paramref name="axis"/> (in time order).</summary>
    public Node Stacked(Node bodyNode, int axis = 0)
    {
        var nodes = Loop.Body.Builder.Nodes;
        if (bodyNode.Id >= nodes.Count || nodes[bodyNode.Id] != bodyNode)
            throw new ArgumentException($"Scan: {bodyNode} is not a node of the loop's body");
        return Graph.Apply(Loop.With(ScanSelection.Stacked(bodyNode.Id, axis)), Inputs.ToArray());
    }
}

public sealed partial class GraphBuilder
{
    /// <summary>
    /// Where <see cref="Param"/> gets a parameter from, when set: a loop body's builder takes its layers'
    /// parameters from the model's graph, as captures (a body holds no parameter of its own).
    /// </summary>
    public Func<string, Shape, Init, Node>? ParamSource { get; set; }

    /// <summary>
    /// A loop of <paramref name="length"/> steps over <paramref name="body"/>: initial carries, sequences
    /// (sliced along <paramref name="sliceAxes"/>, axis 0 by default) and captures, in the body's slot
    /// order. Ask the returned call for the results wanted; each shape is checked as it is made.
    /// </summary>
    public ScanCall Scan(ScanBody body, int length, IReadOnlyList<Node> init, IReadOnlyList<Node> xs, IReadOnlyList<Node> captures,
        IReadOnlyList<int>? sliceAxes = null, bool reverse = false)
    {
        var loop = new ScanOp(body, length, sliceAxes ?? xs.Select(_ => 0).ToArray(), reverse, body.Carries.Count > 0 ? ScanSelection.Final(0) : ScanSelection.Stacked(0, 0));
        var inputs = init.Concat(xs).Concat(captures).ToArray();
        loop.InferShape(inputs); // report a misfit now, not at the first result
        return new ScanCall(this, loop, inputs);
    }
}
