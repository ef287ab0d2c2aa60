using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Dl;

/// <summary>One layer's row of a <see cref="ModelCost"/>: its parameters and the multiply-adds per sample of its products in Predict.</summary>
public sealed class LayerCost
{
    /// <summary>A row of the report the generator writes.</summary>
    public LayerCost(string layer, long parameters, long predictMultiplyAdds)
    {
        Layer = layer; Parameters = parameters; PredictMultiplyAdds = predictMultiplyAdds;
    }

    /// <summary>The layer's path: its parameters' names without the last part ("hidden" for "hidden.weight").</summary>
    public string Layer { get; }
    /// <summary>The number of the layer's parameters.</summary>
    public long Parameters { get; }
    /// <summary>Multiply-adds per sample of the layer's products and convolutions in Predict (a loop's body once per step).</summary>
    public long PredictMultiplyAdds { get; }

    /// <summary>"layer: parameters, multiply-adds".</summary>
    public override string ToString() => $"{Layer}: {Parameters} parameters, {PredictMultiplyAdds} multiply-adds per sample";
}

/// <summary>
/// What a compiled model costs, counted by the generator at build time (each model's <c>CostReport</c>):
/// the exact parameter count, the multiply-adds per sample of <c>Predict</c> and of a train step
/// (products and convolutions; a loop counts its body once per step; elementwise work is not counted),
/// per layer for Predict, and the working memory: <see cref="ArenaFloats"/>(n) floats for a batch of n.
/// </summary>
public sealed class ModelCost
{
    /// <summary>The report the generator writes into each model (<c>Model.CostReport</c>).</summary>
    public ModelCost(long parameters, long predictMultiplyAdds, long trainStepMultiplyAdds, long arenaFixedFloats, long arenaFloatsPerSample,
        IReadOnlyList<LayerCost> layers)
    {
        Parameters = parameters; PredictMultiplyAdds = predictMultiplyAdds; TrainStepMultiplyAdds = trainStepMultiplyAdds;
        ArenaFixedFloats = arenaFixedFloats; ArenaFloatsPerSample = arenaFloatsPerSample; Layers = layers;
    }

    /// <summary>The number of parameters (no padding).</summary>
    public long Parameters { get; }
    /// <summary>Multiply-adds per sample of Predict.</summary>
    public long PredictMultiplyAdds { get; }
    /// <summary>Multiply-adds per sample of a train step (forward, loss and backward); 0 for a model without a loss.</summary>
    public long TrainStepMultiplyAdds { get; }
    /// <summary>Arena floats that do not depend on the batch size.</summary>
    public long ArenaFixedFloats { get; }
    /// <summary>Arena floats per sample of the batch.</summary>
    public long ArenaFloatsPerSample { get; }
    /// <summary>Each layer with parameters, in layout order.</summary>
    public IReadOnlyList<LayerCost> Layers { get; }

    /// <summary>The working memory (floats) every entry point fits in for a batch of <paramref name="batch"/>.</summary>
    public long ArenaFloats(int batch)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the batch size must be positive");
        return ArenaFixedFloats + batch * ArenaFloatsPerSample;
    }

    /// <summary>The report as a table: one row per layer, then the totals.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        int width = 5;
        foreach (var l in Layers) width = Math.Max(width, l.Layer.Length);
        string Row(string name, string parameters, string madds) => name.PadRight(width) + "  " + parameters.PadLeft(12) + "  " + madds.PadLeft(16);
        text.AppendLine(Row("layer", "parameters", "multiply-adds"));
        foreach (var l in Layers) text.AppendLine(Row(l.Layer, N(l.Parameters), N(l.PredictMultiplyAdds)));
        text.AppendLine(Row("total", N(Parameters), N(PredictMultiplyAdds)));
        text.AppendLine($"multiply-adds per sample: Predict {N(PredictMultiplyAdds)}, train step {N(TrainStepMultiplyAdds)}");
        text.Append($"arena: {N(ArenaFixedFloats)} floats + {N(ArenaFloatsPerSample)} per sample");
        return text.ToString();
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
