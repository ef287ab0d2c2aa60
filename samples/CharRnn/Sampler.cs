using System;
using System.Text;

namespace CharRnn;

/// <summary>
/// Writes text one character at a time: the model reads the last <see cref="CharLstm.Window"/> characters and
/// the next one is drawn from its scores at the last of them, softened or sharpened by a temperature.
/// </summary>
internal static class Sampler
{
    private const int W = CharLstm.Window;

    /// <summary><paramref name="prime"/> followed by <paramref name="length"/> drawn characters.</summary>
    public static string Write(CharLstm model, string prime, int length, float temperature, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(prime);
        var window = new int[W];
        var probabilities = new double[Alphabet.Size];
        if (text.Length == 0) text.Append('\n');
        for (int i = 0; i < length; i++)
        {
            // The last W characters at the window's start; positions after them are padding the model has not read
            // yet when it scores the last real one (an LSTM reads left to right).
            int used = Math.Min(W, text.Length);
            for (int t = 0; t < W; t++) window[t] = t < used ? Alphabet.Token(text[text.Length - used + t]) : 0;
            // The window is read again from a fresh state each time: the carried state would otherwise count it twice.
            model.ResetState();
            var scores = model.Predict(window).Slice((used - 1) * Alphabet.Size, Alphabet.Size);
            text.Append(Alphabet.Character(Draw(scores, temperature, probabilities, random)));
        }
        return text.ToString();
    }

    /// <summary>A token drawn with probability softmax(scores / temperature).</summary>
    private static int Draw(ReadOnlySpan<float> scores, float temperature, double[] probabilities, Random random)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var s in scores) max = Math.Max(max, s);
        for (int k = 0; k < scores.Length; k++) sum += probabilities[k] = Math.Exp((scores[k] - max) / temperature);
        double u = random.NextDouble() * sum;
        for (int k = 0; k < scores.Length; k++)
            if ((u -= probabilities[k]) <= 0) return k;
        return scores.Length - 1;
    }
}
