using System.Collections.Generic;
using System.Linq;
using Samples;

namespace Mnist;

/// <summary>The learning curves as a PNG: loss on the left, accuracy on the right, train and validation per epoch (drawn by the samples' shared CurvePlot).</summary>
internal static class CurvePlot
{
    public static void Save(string path, IReadOnlyList<EpochRecord> curve, string title)
    {
        if (curve.Count == 0) throw new System.ArgumentException("no epochs to plot", nameof(curve));
        bool validated = !double.IsNaN(curve[0].ValidationLoss);
        Curve[] Pair(System.Func<EpochRecord, double> train, System.Func<EpochRecord, double> validation) => validated
            ? new[] { new Curve("train", curve.Select(train).ToList()), new Curve("validation", curve.Select(validation).ToList()) }
            : new[] { new Curve("train", curve.Select(train).ToList()) };
        Samples.CurvePlot.Save(path,
            new CurvePanel(title + ": cross-entropy loss", Pair(r => r.TrainLoss, r => r.ValidationLoss)),
            new CurvePanel(title + ": accuracy (%)", Pair(r => 100 * r.TrainAccuracy, r => 100 * r.ValidationAccuracy)));
    }
}
