using System;
using Dl.Training;

namespace Dl.Training.Tests.Loop;

public class ConfusionMatrixTests
{
    // actual 0: predicted 0,0,1   actual 1: 1,1   actual 2: 2,2,0,0
    private static readonly int[] Actual = { 0, 0, 0, 1, 1, 2, 2, 2, 2 };
    private static readonly int[] Predicted = { 0, 0, 1, 1, 1, 2, 2, 0, 0 };

    [Fact]
    public void Counts_and_metrics_match_hand_computation()
    {
        var m = ConfusionMatrix.From(Predicted, Actual, 3);
        Assert.Equal(9, m.Total);
        Assert.Equal(2, m[0, 0]);
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(2, m[2, 0]);
        Assert.Equal(0, m[1, 0]);

        Assert.Equal(6.0 / 9, m.Accuracy, 12);
        Assert.Equal(0.5, m.Precision(0), 12);          // column 0: 2 right of 4
        Assert.Equal(2.0 / 3, m.Precision(1), 12);
        Assert.Equal(1.0, m.Precision(2), 12);
        Assert.Equal(2.0 / 3, m.Recall(0), 12);         // row 0: 2 right of 3
        Assert.Equal(1.0, m.Recall(1), 12);
        Assert.Equal(0.5, m.Recall(2), 12);
        Assert.Equal(4.0 / 7, m.F1(0), 12);             // 2 * 1/2 * 2/3 / (7/6)
        Assert.Equal(0.8, m.F1(1), 12);
        Assert.Equal(2.0 / 3, m.F1(2), 12);
        Assert.Equal((0.5 + 2.0 / 3 + 1) / 3, m.MacroPrecision, 12);
        Assert.Equal((2.0 / 3 + 1 + 0.5) / 3, m.MacroRecall, 12);
        Assert.Equal((4.0 / 7 + 0.8 + 2.0 / 3) / 3, m.MacroF1, 12);
    }

    [Fact]
    public void A_class_never_predicted_or_absent_scores_zero()
    {
        var m = ConfusionMatrix.From(new[] { 0, 0 }, new[] { 0, 1 }, 3);
        Assert.Equal(0, m.Precision(1));
        Assert.Equal(0, m.Recall(1));
        Assert.Equal(0, m.F1(2));
        Assert.Equal(0.5, m.Precision(0));
    }

    [Fact]
    public void AddLogits_predicts_the_arg_max()
    {
        var m = new ConfusionMatrix(2);
        m.AddLogits(new[] { 0.1f, 0.9f, 2f, -1f, 0.5f, 0.5f }, new[] { 1, 1, 0 });
        Assert.Equal(1, m[1, 1]);
        Assert.Equal(1, m[1, 0]);
        Assert.Equal(1, m[0, 0]); // a tie goes to the first class
    }

    [Fact]
    public void ToString_shows_the_counts_and_the_report()
    {
        string expected =
            "actual\\pred     0     1     2  precision  recall      f1\n" +
            "          0     2     1     0     0.5000  0.6667  0.5714\n" +
            "          1     0     2     0     0.6667  1.0000  0.8000\n" +
            "          2     2     0     2     1.0000  0.5000  0.6667\n" +
            "macro avg                         0.7222  0.7222  0.6794\n" +
            "accuracy 0.6667 (9 samples)";
        Assert.Equal(expected, ConfusionMatrix.From(Predicted, Actual, 3).ToString());
    }

    [Fact]
    public void Out_of_range_classes_are_refused()
    {
        var m = new ConfusionMatrix(2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(2, 0));
        Assert.StartsWith("class 2 is outside 0..1", e.Message);
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.From(new[] { 0 }, new[] { 0, 1 }, 2));
    }
}
