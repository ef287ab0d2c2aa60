using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// Train and eval modes, the whole design in one place:
/// <list type="bullet">
/// <item>A layer that behaves differently in the two modes (dropout, batch norm) builds both
/// behaviours and joins them with <see cref="TrainEvalOp"/>: its value is the first input while
/// training, the second in inference.</item>
/// <item>The compiler never emits that op: <see cref="Modes.Specialise"/> copies the graph once per
/// mode, replacing each switch by the branch the mode takes, and each generated entry point is
/// planned from one of the copies (Predict from the eval copy, the training entry points from the
/// train copy). So the choice costs nothing at run time and no loop ever tests a mode.</item>
/// <item>Non-trainable state (batch norm's running averages) is a <see cref="StateOp"/> source,
/// stored by the generated class beside the parameters. The eval branch reads it; the train branch
/// registers its new value with <see cref="GraphBuilder.UpdateState"/>, and the training entry point
/// writes that value back after the step.</item>
/// </list>
/// </summary>
public static class Modes
{
    /// <summary>
    /// Copies what <paramref name="roots"/> depend on into <paramref name="g"/> with every
    /// <see cref="TrainEvalOp"/> resolved to one branch. Importing into the builder the nodes came
    /// from returns the very same nodes wherever no switch is involved (interning).
    /// </summary>
    public static Dictionary<Node, Node> Specialise(GraphBuilder g, IEnumerable<Node> roots, bool training) =>
        g.Import(roots, (_, node, inputs) => node.Op is TrainEvalOp ? inputs[training ? 0 : 1] : null);

    /// <summary>True when any node under <paramref name="roots"/> depends on the mode.</summary>
    public static bool DependsOnMode(IEnumerable<Node> roots) => GraphBuilder.Topological(roots).Any(n => n.Op is TrainEvalOp);
}

/// <summary>Train-mode value (input 0) or eval-mode value (input 1); resolved by <see cref="Modes.Specialise"/> before compilation.</summary>
public sealed class TrainEvalOp : Op
{
    public override string Name => "TrainEval";
    public override OpClass Class => OpClass.Layout;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        if (!inputs[0].Shape.Equals(inputs[1].Shape) || inputs[0].Type != inputs[1].Type)
            throw new ShapeException(ShapeErrorKind.Mismatch, $"TrainEval: the train value {inputs[0].Shape} and the eval value {inputs[1].Shape} must agree");
        return (inputs[0].Shape, inputs[0].Type);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) => context.Training ? x[0] : x[1];

    /// <summary>Gradients are taken in training mode (specialise the graph first for an eval-mode gradient).</summary>
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { dy, null };
}

/// <summary>Non-trainable model state (running averages), named by its path; bound by the evaluator like a parameter.</summary>
public sealed class StateOp : SourceOp
{
    public StateOp(string name, Shape shape, Init init) : base(shape, DType.Float32)
    {
        if (shape.HasBatch)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"state '{name}' cannot have the batch dimension in its shape {shape}");
        StateName = name;
        Init = init;
    }

    public string StateName { get; }
    public Init Init { get; }
    public override string Name => "State";
    public override string Attributes => $"{StateName} {Shape} {Init}";
}

/// <summary>
/// Dropout's mask: each element is 0 with probability <see cref="Rate"/>, else 1/(1 - rate) (inverted
/// scaling, so inference needs no rescaling). The draw is a hash of (model seed, <see cref="Stream"/>,
/// training step, element index): seeded, fresh every step, the same in the evaluator and the CPU code.
/// </summary>
public sealed class DropoutMaskOp : Op
{
    public DropoutMaskOp(double rate, int stream, Shape shape)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Dropout: the rate must be in [0, 1), got {rate.ToString(CultureInfo.InvariantCulture)}");
        Rate = rate; Stream = stream; Shape = shape;
    }

    public double Rate { get; }
    /// <summary>Tells the masks of different dropout layers apart (a hash of the layer's path).</summary>
    public int Stream { get; }
    public Shape Shape { get; }
    public override string Name => "DropoutMask";
    public override OpClass Class => OpClass.Source;
    public override string Attributes => string.Format(CultureInfo.InvariantCulture, "{0:R} #{1} {2}", Rate, Stream, Shape);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => (Shape, DType.Float32);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context)
    {
        var mask = TensorValue.Zeros(Shape.Resolve(context.Batch));
        ulong key = StreamKey(context.Seed, Stream, context.Step);
        uint threshold = Threshold(Rate);
        double scale = 1 / (1 - Rate);
        for (int i = 0; i < mask.Length; i++) mask[i] = Draw(key, i) >= threshold ? scale : 0;
        return mask;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => Array.Empty<Node?>();

    // The hash below is the definition; Dl.Cpu.Dropout repeats it bit for bit (a test checks they agree).

    /// <summary>SplitMix64's finaliser: a bijection of 64-bit words that mixes every input bit into every output bit.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>One key per (seed, stream, step); elements are drawn from it by index.</summary>
    public static ulong StreamKey(int seed, int stream, long step) =>
        Mix(Mix(((ulong)(uint)seed << 32 | (uint)stream) + 0x9E3779B97F4A7C15UL) ^ (ulong)step * 0xD1B54A32D192ED03UL);

    /// <summary>A uniform 24-bit integer for element <paramref name="index"/>.</summary>
    public static uint Draw(ulong key, long index) => (uint)(Mix(key + (ulong)index * 0x9E3779B97F4A7C15UL) >> 40);

    /// <summary>Elements whose draw is below this are dropped: rate · 2²⁴, rounded.</summary>
    public static uint Threshold(double rate) => (uint)Math.Round(rate * (1 << 24));

    /// <summary>A stable (not per-process randomised) hash of a layer path: FNV-1a.</summary>
    public static int StreamOf(string path)
    {
        uint h = 2166136261;
        foreach (char c in path) { h ^= c; h *= 16777619; }
        return (int)(h & 0x7FFFFFFF);
    }
}

public sealed partial class GraphBuilder
{
    private readonly List<(Node State, Node Value)> _stateUpdates = new();

    /// <summary>State updates registered so far (state node, its value after a training step).</summary>
    public IReadOnlyList<(Node State, Node Value)> StateUpdates => _stateUpdates;

    /// <summary>A state tensor by name; the same name again is the same node and must agree in shape and init.</summary>
    public Node State(string name, Shape shape, Init init)
    {
        foreach (var n in Nodes)
            if (n.Op is StateOp s && s.StateName == name && (!s.Shape.Equals(shape) || s.Init != init))
                throw new ShapeException(ShapeErrorKind.Mismatch, $"state '{name}' is declared twice: as {s.Shape} {s.Init} and as {shape} {init}");
        return Apply(new StateOp(name, shape, init));
    }

    /// <summary>Registers <paramref name="value"/> as the state's value after each training step (the last registration wins).</summary>
    public void UpdateState(Node state, Node value)
    {
        if (state.Op is not StateOp s)
            throw new ArgumentException($"{state} is not a state node");
        if (!value.Shape.Equals(state.Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"state '{s.StateName}' {state.Shape} cannot be updated with a value of shape {value.Shape}");
        _stateUpdates.RemoveAll(u => u.State == state);
        _stateUpdates.Add((state, value));
    }

    /// <summary><paramref name="train"/> while training, <paramref name="eval"/> in inference.</summary>
    public Node TrainEval(Node train, Node eval) => train == eval ? train : Apply(new TrainEvalOp(), train, eval);

    /// <summary>Inverted dropout: x · mask while training, x itself in inference.</summary>
    public Node Dropout(Node x, double rate, int stream)
    {
        if (x.Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"Dropout: expects a float tensor, got integers of shape {x.Shape}");
        var mask = Apply(new DropoutMaskOp(rate, stream, x.Shape));
        return rate == 0 ? x : TrainEval(Mul(x, mask), x);
    }
}
