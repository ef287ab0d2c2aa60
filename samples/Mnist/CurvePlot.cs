using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace Mnist;

/// <summary>The learning curves as a PNG: loss on the left, accuracy on the right, train and validation per epoch.</summary>
internal static class CurvePlot
{
    public static void Save(string path, IReadOnlyList<EpochRecord> curve, string title)
    {
        if (curve.Count == 0) throw new ArgumentException("no epochs to plot", nameof(curve));
        var epochs = Enumerable.Range(1, curve.Count).Select(e => (double)e).ToArray();
        bool validated = !double.IsNaN(curve[0].ValidationLoss);

        var figure = new Multiplot();
        figure.AddPlots(2);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var loss = figure.GetPlot(0);
        var accuracy = figure.GetPlot(1);
        Series(loss, epochs, curve.Select(r => r.TrainLoss), "train");
        Series(accuracy, epochs, curve.Select(r => 100 * r.TrainAccuracy), "train");
        if (validated)
        {
            Series(loss, epochs, curve.Select(r => r.ValidationLoss), "validation");
            Series(accuracy, epochs, curve.Select(r => 100 * r.ValidationAccuracy), "validation");
        }
        Style(loss, title + ": cross-entropy loss", Alignment.UpperRight);
        Style(accuracy, title + ": accuracy (%)", Alignment.LowerRight);

        figure.SavePng(path, 1000, 400);
    }

    private static void Series(Plot plot, double[] epochs, IEnumerable<double> values, string label)
    {
        var scatter = plot.Add.Scatter(epochs, values.ToArray());
        scatter.LegendText = label;
    }

    private static void Style(Plot plot, string title, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel("epoch");
        // Epochs are whole numbers: no 1.5 ticks on a short run.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(legend);
    }
}
