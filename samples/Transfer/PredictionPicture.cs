using System;
using Dl;
using Samples;

namespace Transfer;

/// <summary>
/// Test digits with the digit each model predicts drawn under them (a 3x5 pixel font), one row per model: a caption on
/// black is right, an inverted one (black on white) is wrong. Built on <see cref="ImageGrid"/>, so it needs no font library.
/// </summary>
internal static class PredictionPicture
{
    public const int CaptionRows = 14, CellRows = Digits.Side + CaptionRows;

    // Rows of 3 bits, top to bottom, for 0-9.
    private static readonly int[][] s_font =
    {
        new[] { 7, 5, 5, 5, 7 }, new[] { 2, 6, 2, 2, 7 }, new[] { 7, 1, 7, 4, 7 }, new[] { 7, 1, 7, 1, 7 }, new[] { 5, 5, 7, 1, 1 },
        new[] { 7, 4, 7, 1, 7 }, new[] { 7, 4, 7, 5, 7 }, new[] { 7, 1, 1, 1, 1 }, new[] { 7, 5, 7, 5, 7 }, new[] { 7, 5, 7, 1, 7 },
    };

    /// <summary>
    /// Writes the first <paramref name="count"/> digits of <paramref name="test"/> once per model, captioned with the model's
    /// prediction plus <paramref name="firstDigit"/> (labels 0-4 stand for firstDigit..+4); returns how many each got wrong.
    /// </summary>
    public static int[] Save(string path, Digits.Set test, int firstDigit, int count, params IClassifier[] models)
    {
        count = Math.Min(count, test.Count);
        var cells = new float[models.Length * count * CellRows * Digits.Side];
        var wrong = new int[models.Length];
        for (int m = 0; m < models.Length; m++)
        {
            var logits = models[m].Predict(test.Pixels.AsSpan(0, count * Digits.Pixels));
            for (int n = 0; n < count; n++)
            {
                int predicted = ArgMax(logits.Slice(n * 5, 5));
                bool right = predicted == test.Labels[n];
                if (!right) wrong[m]++;
                var cell = cells.AsSpan((m * count + n) * CellRows * Digits.Side, CellRows * Digits.Side);
                test.Pixels.AsSpan(n * Digits.Pixels, Digits.Pixels).CopyTo(cell);
                Caption(cell[Digits.Pixels..], predicted + firstDigit, inverted: !right);
            }
        }
        ImageGrid.Save(path, cells, models.Length * count, CellRows, Digits.Side, count, scale: 2, gap: 2);
        return wrong;
    }

    private static void Caption(Span<float> strip, int digit, bool inverted)
    {
        strip.Fill(inverted ? 1f : 0f);
        var glyph = s_font[digit];
        // Each font pixel is 2x2 cell pixels (6x10 in all), centred under the digit.
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 6; x++)
                if ((glyph[y / 2] >> (2 - x / 2) & 1) != 0) strip[(2 + y) * Digits.Side + 11 + x] = inverted ? 0f : 1f;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }
}
