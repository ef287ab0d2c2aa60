using System.Globalization;
using System.Linq;

namespace Dl.Compiler;

/// <summary>The cost report in the generated file: a table in its header, constants and a <c>Dl.ModelCost</c> in the class.</summary>
public static partial class CpuEmitter
{
    private static void CostHeader(SourceWriter w, CostReport cost)
    {
        string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        int width = System.Math.Max(5, cost.Layers.Select(l => l.Layer.Length).DefaultIfEmpty(0).Max());
        string Row(string a, string b, string c) => "//   " + a.PadRight(width) + "  " + b.PadLeft(12) + "  " + c.PadLeft(16);
        w.Line("//");
        w.Line("// Cost (counted at build time; multiply-adds of products and convolutions per sample, elementwise work not counted):");
        w.Line(Row("layer", "parameters", "Predict madds"));
        foreach (var l in cost.Layers) w.Line(Row(l.Layer, N(l.Parameters), N(l.PredictMultiplyAdds)));
        w.Line(Row("total", N(cost.Parameters), N(cost.PredictMultiplyAdds)));
        w.Line($"//   train step (forward, loss, backward): {N(cost.TrainStepMultiplyAdds)} multiply-adds per sample");
        w.Line($"//   arena: {N(cost.ArenaFixedFloats)} floats + {N(cost.ArenaFloatsPerSample)} per sample");
        w.Line("//");
    }

    private static void CostMembers(SourceWriter w, CostReport cost)
    {
        w.Line("/// <summary>Multiply-adds per sample of <see cref=\"Predict\"/> (products and convolutions).</summary>");
        w.Line($"public const long PredictMultiplyAdds = {cost.PredictMultiplyAdds}L;");
        w.Line("/// <summary>Multiply-adds per sample of a train step: forward, loss and backward (0 without a loss).</summary>");
        w.Line($"public const long TrainStepMultiplyAdds = {cost.TrainStepMultiplyAdds}L;");
        w.Line("/// <summary>Arena floats that do not depend on the batch: a batch of n needs ArenaFixedFloats + n · ArenaFloatsPerSample.</summary>");
        w.Line($"public const long ArenaFixedFloats = {cost.ArenaFixedFloats}L;");
        w.Line("/// <summary>Arena floats per sample of the batch.</summary>");
        w.Line($"public const long ArenaFloatsPerSample = {cost.ArenaFloatsPerSample}L;");
        w.Line("/// <summary>The cost report: parameters and multiply-adds per layer, the train step, the arena (its ToString is a table).</summary>");
        w.Line("public static readonly global::Dl.ModelCost CostReport = new(ParameterCount, PredictMultiplyAdds, TrainStepMultiplyAdds, ArenaFixedFloats, ArenaFloatsPerSample, new global::Dl.LayerCost[]");
        w.Line("{");
        foreach (var l in cost.Layers)
            w.Line($"    new({Identifiers.StringLiteral(l.Layer)}, {l.Parameters}L, {l.PredictMultiplyAdds}L),");
        w.Line("});");
    }
}
