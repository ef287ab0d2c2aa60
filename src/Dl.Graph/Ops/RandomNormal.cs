using System;
using System.Collections.Generic;
using System.Globalization;

namespace Dl.Graph;

/// <summary>
/// Standard normal samples, one per element of <see cref="Shape"/>, fixed per training step exactly like
/// dropout masks: they are a function of (model seed, <see cref="Stream"/>, training step, element index) and
/// nothing else, so a run replays bit for bit and the evaluator computes the values the CPU code does.
/// <para>The definition, for element i: key = Mix(StreamKey(seed, stream, step) ^ 0x4E4F524D414C2121) (dropout's
/// per-step key, moved to a domain of its own so a sampler never repeats a dropout layer's bits); b =
/// Mix(key + i·0x9E3779B97F4A7C15), 64 bits; u1 = (⌊b / 2³²⌋ + 1)·2⁻³² in (0, 1], u2 = (b mod 2³²)·2⁻³² in
/// [0, 1); the sample is the Box-Muller cosine branch √(-2·ln u1)·cos(2π·u2), computed in double and rounded to
/// float. |sample| ≤ √(64·ln 2) ≈ 6.66.</para>
/// <para>No gradient: it is a source (the operand it was made from gives only its shape).</para>
/// </summary>
public sealed class RandomNormalOp : Op
{
    /// <summary>Tells samples from dropout keys apart ("NORMAL!!").</summary>
    private const ulong Domain = 0x4E4F524D414C2121UL;

    public RandomNormalOp(int stream, Shape shape)
    {
        if (stream < 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"RandomNormal: the stream must be 0 or more, got {stream}");
        Stream = stream; Shape = shape;
    }

    /// <summary>Tells independent samplers of one model apart: the same stream and shape give the same samples.</summary>
    public int Stream { get; }
    public Shape Shape { get; }
    public override string Name => "RandomNormal";
    public override OpClass Class => OpClass.Source;
    public override string Attributes => string.Format(CultureInfo.InvariantCulture, "#{0} {1}", Stream, Shape);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => (Shape, DType.Float32);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context)
    {
        var samples = TensorValue.Zeros(Shape.Resolve(context.Batch));
        ulong key = StepKey(context.Seed, Stream, context.Step);
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)Sample(key, i);
        return samples;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => Array.Empty<Node?>();

    // The definition; Dl.Cpu.RandomNormal repeats it bit for bit (a test checks they agree).

    /// <summary>One key per (seed, stream, step); elements are drawn from it by index.</summary>
    public static ulong StepKey(int seed, int stream, long step) => DropoutMaskOp.Mix(DropoutMaskOp.StreamKey(seed, stream, step) ^ Domain);

    /// <summary>Element <paramref name="index"/>'s sample, before rounding to float.</summary>
    public static double Sample(ulong key, long index)
    {
        ulong bits = DropoutMaskOp.Mix(key + (ulong)index * 0x9E3779B97F4A7C15UL);
        double u1 = ((bits >> 32) + 1) * (1.0 / 4294967296.0);
        double u2 = (uint)bits * (1.0 / 4294967296.0);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

public sealed partial class GraphBuilder
{
    /// <summary>
    /// Standard normal samples of <paramref name="like"/>'s shape while training (<see cref="RandomNormalOp"/>),
    /// zeros in inference: noise is a training-time device like dropout, so Predict is deterministic and a VAE's
    /// z = mu + σ·ε predicts from the mean.
    /// </summary>
    public Node RandomNormal(Node like, int stream)
    {
        if (like.Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"RandomNormal: takes the shape of a float tensor, got integers of shape {like.Shape}");
        return TrainEval(Apply(new RandomNormalOp(stream, like.Shape)), Constant(0, like.Shape));
    }
}
