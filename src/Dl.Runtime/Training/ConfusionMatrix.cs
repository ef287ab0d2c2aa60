using System;
using System.Globalization;
using System.Text;

namespace Dl.Training;

/// <summary>
/// Counts of (actual class, predicted class) pairs, with the per-class and averaged metrics read from them.
/// A metric whose denominator is zero (a class never predicted, or never present) is 0, as in scikit-learn.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>An empty matrix for <paramref name="classes"/> classes.</summary>
    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        Classes = classes;
        _counts = new long[classes * classes];
    }

    /// <summary>The matrix of <paramref name="predicted"/> against <paramref name="actual"/> labels.</summary>
    public static ConfusionMatrix From(ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual, int classes)
    {
        if (predicted.Length != actual.Length)
            throw new ArgumentException($"{predicted.Length} predictions for {actual.Length} labels", nameof(predicted));
        var matrix = new ConfusionMatrix(classes);
        for (int i = 0; i < predicted.Length; i++) matrix.Add(predicted[i], actual[i]);
        return matrix;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>Samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[Index(actual, nameof(actual)) * Classes + Index(predicted, nameof(predicted))];

    /// <summary>Counts one sample.</summary>
    public void Add(int predicted, int actual)
    {
        _counts[Index(actual, nameof(actual)) * Classes + Index(predicted, nameof(predicted))]++;
        Total++;
    }

    /// <summary>Counts each row of <paramref name="logits"/> ([rows, classes]) as a prediction of its largest entry (the first, on ties).</summary>
    public void AddLogits(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (logits.Length != labels.Length * Classes)
            throw new ArgumentException($"logits hold {logits.Length} values; {labels.Length} labels x {Classes} classes need {labels.Length * Classes}", nameof(logits));
        for (int r = 0; r < labels.Length; r++)
        {
            var row = logits.Slice(r * Classes, Classes);
            int best = 0;
            for (int c = 1; c < Classes; c++) if (row[c] > row[best]) best = c;
            Add(best, labels[r]);
        }
    }

    /// <summary>Fraction of samples on the diagonal.</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < Classes; c++) correct += _counts[c * Classes + c];
            return Total == 0 ? 0 : (double)correct / Total;
        }
    }

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/>.</summary>
    public double Precision(int c)
    {
        long predicted = 0;
        for (int a = 0; a < Classes; a++) predicted += this[a, c];
        return predicted == 0 ? 0 : (double)this[c, c] / predicted;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/>.</summary>
    public double Recall(int c)
    {
        long actual = 0;
        for (int p = 0; p < Classes; p++) actual += this[c, p];
        return actual == 0 ? 0 : (double)this[c, c] / actual;
    }

    /// <summary>Harmonic mean of <see cref="Precision"/> and <see cref="Recall"/> of class <paramref name="c"/>.</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Unweighted mean of the per-class precisions.</summary>
    public double MacroPrecision => Macro(Precision);

    /// <summary>Unweighted mean of the per-class recalls.</summary>
    public double MacroRecall => Macro(Recall);

    /// <summary>Unweighted mean of the per-class F1 scores (not the F1 of the macro precision and recall).</summary>
    public double MacroF1 => Macro(F1);

    /// <summary>The counts (rows actual, columns predicted), then each class's precision, recall and F1, the macro averages and the accuracy.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        int width = Math.Max(6, Total.ToString(ci).Length + 1);
        var sb = new StringBuilder();
        sb.Append("actual\\pred");
        for (int p = 0; p < Classes; p++) sb.Append(p.ToString(ci).PadLeft(width));
        sb.Append("  precision  recall      f1\n");
        for (int a = 0; a < Classes; a++)
        {
            sb.Append(a.ToString(ci).PadLeft(11));
            for (int p = 0; p < Classes; p++) sb.Append(this[a, p].ToString(ci).PadLeft(width));
            sb.Append(string.Format(ci, "  {0,9:F4} {1,7:F4} {2,7:F4}\n", Precision(a), Recall(a), F1(a)));
        }
        sb.Append("macro avg".PadRight(11 + width * Classes));
        sb.Append(string.Format(ci, "  {0,9:F4} {1,7:F4} {2,7:F4}\n", MacroPrecision, MacroRecall, MacroF1));
        sb.Append(string.Format(ci, "accuracy {0:F4} ({1} samples)", Accuracy, Total));
        return sb.ToString();
    }

    private double Macro(Func<int, double> metric)
    {
        double sum = 0;
        for (int c = 0; c < Classes; c++) sum += metric(c);
        return sum / Classes;
    }

    private int Index(int c, string name)
    {
        if ((uint)c >= (uint)Classes) throw new ArgumentOutOfRangeException(name, $"class {c} is outside 0..{Classes - 1}");
        return c;
    }
}
