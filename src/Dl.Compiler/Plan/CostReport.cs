using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>One layer's share of a model's cost: its parameters and the multiply-adds per sample of its products in Predict.</summary>
public sealed record LayerCost(string Layer, long Parameters, long PredictMultiplyAdds);

/// <summary>
/// What a compiled model costs, counted from its planned entry points at build time: the exact
/// parameter count (no padding), the multiply-adds per sample of Predict and of a train step (every
/// product and convolution, each op counting its own through <see cref="Op.MultiplyAdds"/>; a loop
/// counts its body once per step), per layer for Predict, and the arena's fixed and per-sample floats,
/// so the memory for a batch of n is Fixed + n · PerSample floats. Elementwise work is not counted:
/// it is memory-bound and small beside the products in every model of the toolbox.
/// </summary>
public sealed class CostReport
{
    private CostReport(long parameters, long predict, long trainStep, long fixedCost, IReadOnlyList<LayerCost> layers, long arenaFixed, long arenaPerSample)
    {
        Parameters = parameters; PredictMultiplyAdds = predict; TrainStepMultiplyAdds = trainStep; FixedMultiplyAdds = fixedCost;
        Layers = layers; ArenaFixedFloats = arenaFixed; ArenaFloatsPerSample = arenaPerSample;
    }

    public long Parameters { get; }
    /// <summary>Multiply-adds per sample of Predict.</summary>
    public long PredictMultiplyAdds { get; }
    /// <summary>Multiply-adds per sample of ComputeGradients (forward, loss and backward); 0 without a loss.</summary>
    public long TrainStepMultiplyAdds { get; }
    /// <summary>Multiply-adds per call that do not grow with the batch (products of parameters alone); usually 0.</summary>
    public long FixedMultiplyAdds { get; }
    /// <summary>Each layer (a parameter path without its last part: "conv1" for "conv1.weight") with parameters, in layout order.</summary>
    public IReadOnlyList<LayerCost> Layers { get; }
    public long ArenaFixedFloats { get; }
    public long ArenaFloatsPerSample { get; }

    public static CostReport Of(CompiledModel model)
    {
        var perLayer = new Dictionary<string, long>();
        var predict = Count(model.Predict, perLayer);
        var train = model.Gradients is { } g ? Count(g, null) : (0, 0);
        var layers = model.Parameters.GroupBy(p => LayerOf(p.Name))
            .Select(l => new LayerCost(l.Key, l.Sum(p => p.Length), perLayer.TryGetValue(l.Key, out var m) ? m : 0)).ToList();
        // Products of no layer's parameter (attention-like products of two activations) under their own row.
        if (perLayer.TryGetValue("", out var unowned) && unowned > 0) layers.Add(new LayerCost("(no parameters)", 0, unowned));
        return new CostReport(model.ParameterCount, predict.PerSample, train.PerSample, predict.Fixed + train.Fixed, layers,
            model.FixedArena, model.PerSampleArena);
    }

    /// <summary>The layer a parameter belongs to: its path without the last part.</summary>
    public static string LayerOf(string parameter) => parameter.LastIndexOf('.') is var dot and > 0 ? parameter.Substring(0, dot) : parameter;

    private static (long PerSample, long Fixed) Count(EntryPoint entry, Dictionary<string, long>? perLayer)
    {
        long perSample = 0, fixedCost = 0;
        void Add(Node node, long times, System.Func<Node, Node> outside)
        {
            var (count, power) = node.Op.MultiplyAdds(node.Inputs, node.Shape);
            if (count == 0) return;
            count *= times;
            if (power == 1) perSample += count;
            else if (power == 0) fixedCost += count;
            if (perLayer is not null && power == 1)
            {
                string layer = node.Inputs.Select(i => ParameterBehind(i, outside)).FirstOrDefault(p => p is not null) is { } p ? LayerOf(p) : "";
                perLayer[layer] = (perLayer.TryGetValue(layer, out var sum) ? sum : 0) + count;
            }
        }
        void Kernels(IEnumerable<Kernel> kernels, long times, System.Func<Node, Node> outside)
        {
            foreach (var k in kernels)
            {
                if (k is LoopKernel loop)
                {
                    // A capture of the body stands for the loop's input: attribute its products to that parameter.
                    var body = loop.Loop.Body;
                    Node Outside(Node n)
                    {
                        var b = MemoryPlanner.Base(n);
                        return b.Op is LoopSlotOp slot && slot.Kind == LoopSlotKind.Capture ? outside(loop.Inputs[body.InputIndexOf(slot)]) : n;
                    }
                    Kernels(loop.Step.Kernels, times * loop.Loop.Length, Outside);
                }
                else foreach (var n in k.Fused.Where(n => n.Op.Class == OpClass.Contraction)) Add(n, times, outside);
            }
        }
        Kernels(entry.Kernels, 1, n => n);
        return (perSample, fixedCost);
    }

    /// <summary>The parameter an operand is (through transposes, reshapes and a loop's captures), or null.</summary>
    private static string? ParameterBehind(Node n, System.Func<Node, Node> outside)
    {
        while (true)
        {
            while (n.Op is TransposeOp or ReshapeOp) n = n[0];
            var o = outside(n);
            if (o == n) return n.Op is ParamOp p ? p.ParamName : null;
            n = o;
        }
    }
}
