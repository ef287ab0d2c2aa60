using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace Samples;

/// <summary>One line of a panel: a label and one value per epoch (NaN where there is none).</summary>
internal sealed record Curve(string Label, IReadOnlyList<double> Values);

/// <summary>One plot of a figure: its title and its curves over the epochs.</summary>
internal sealed record CurvePanel(string Title, params Curve[] Curves);

/// <summary>
/// Learning curves as a PNG, panels side by side, epochs along the bottom: what a person looks at to see
/// whether training converged or overfits. Used by the samples that train over epochs (Mnist, SequentialMnist,
/// CharRnn; not LeNet, Adversarial or Inference, which print figures only and so do not ship ScottPlot).
/// </summary>
internal static class CurvePlot
{
    /// <summary>Writes <paramref name="panels"/> to <paramref name="path"/>, 500 pixels wide per panel.</summary>
    /// <exception cref="ArgumentException">No panel, or a panel with no values.</exception>
    public static void Save(string path, params CurvePanel[] panels)
    {
        if (panels.Length == 0 || panels.Any(p => p.Curves.Length == 0 || p.Curves.All(c => c.Values.Count == 0)))
            throw new ArgumentException("every panel needs at least one curve with values", nameof(panels));
        var figure = new Multiplot();
        figure.AddPlots(panels.Length);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        for (int i = 0; i < panels.Length; i++)
        {
            var plot = figure.GetPlot(i);
            foreach (var curve in panels[i].Curves)
            {
                var epochs = Enumerable.Range(1, curve.Values.Count).Select(e => (double)e).ToArray();
                plot.Add.Scatter(epochs, curve.Values.ToArray()).LegendText = curve.Label;
            }
            plot.Title(panels[i].Title);
            plot.XLabel("epoch");
            // Epochs are whole numbers: no 1.5 ticks on a short run.
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            // The legend sits where the curves are not: top right above falling curves (a loss), bottom right below rising ones.
            var first = panels[i].Curves[0].Values;
            plot.ShowLegend(first.Count > 1 && first[^1] > first[0] ? Alignment.LowerRight : Alignment.UpperRight);
        }
        figure.SavePng(path, 500 * panels.Length, 400);
    }
}
