using System;
using System.Globalization;
using System.IO;

namespace Dl.Training;

/// <summary>
/// A one-line training progress display: batches done of total, a bar, loss, accuracy, samples per second
/// and the time left, redrawn in place with <c>\r</c> at most ten times a second, then one summary line
/// per epoch.
/// </summary>
/// <remarks>
/// Live redrawing only makes sense on a terminal. When the console's output is redirected (a log file, a
/// CI job) or the bar writes to another <see cref="TextWriter"/>, it stays quiet until <see cref="Finish"/>,
/// which writes the summary line, so logs get one line per epoch rather than a stream of <c>\r</c> frames.
/// </remarks>
public sealed class ProgressBar
{
    /// <summary>Redraws are at least this far apart (about ten per second).</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    private const int BarWidth = 20;
    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private string _label = "";
    private int _total;
    private long _start, _lastDraw;
    private int _lastLength;
    private int _batches;
    private long _samples;
    private double _loss = double.NaN, _accuracy = double.NaN;

    /// <summary>
    /// Writes to <paramref name="output"/> (the console when null). <paramref name="live"/> forces live
    /// redrawing on or off; by default it is on only for a console whose output is not redirected.
    /// <paramref name="time"/> replaces the clock (for tests).
    /// </summary>
    public ProgressBar(TextWriter? output = null, bool? live = null, TimeProvider? time = null)
    {
        _output = output ?? Console.Out;
        _time = time ?? TimeProvider.System;
        IsLive = live ?? (output == null && !Console.IsOutputRedirected);
    }

    /// <summary>Whether the line is redrawn during the epoch (otherwise only <see cref="Finish"/> writes).</summary>
    public bool IsLive { get; }

    /// <summary>Begins an epoch (or any pass) of <paramref name="totalBatches"/> batches, named <paramref name="label"/> in the output.</summary>
    public void Start(string label, int totalBatches)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentOutOfRangeException.ThrowIfNegative(totalBatches);
        _label = label;
        _total = totalBatches;
        _start = _time.GetTimestamp();
        _lastDraw = long.MinValue;
        _lastLength = 0;
        _batches = 0;
        _samples = 0;
        _loss = _accuracy = double.NaN;
    }

    /// <summary>
    /// Records progress: <paramref name="batchesDone"/> of the total, <paramref name="samplesDone"/> samples so far,
    /// and the running loss and accuracy (NaN to leave accuracy out). Redraws if live and due.
    /// </summary>
    public void Report(int batchesDone, long samplesDone, double loss, double accuracy = double.NaN)
    {
        _batches = batchesDone;
        _samples = samplesDone;
        _loss = loss;
        _accuracy = accuracy;
        if (!IsLive) return;
        long now = _time.GetTimestamp();
        if (_lastDraw != long.MinValue && _time.GetElapsedTime(_lastDraw, now) < MinimumInterval) return;
        _lastDraw = now;
        Draw(Line(_time.GetElapsedTime(_start, now)));
    }

    /// <summary>Ends the pass with its summary line: batches, loss, accuracy, rate and elapsed time.</summary>
    public void Finish()
    {
        var elapsed = _time.GetElapsedTime(_start);
        var ci = CultureInfo.InvariantCulture;
        string summary = string.Format(ci, "{0}: {1}/{2} batches, loss {3:F4}{4}, {5:F0} samples/s, {6:F1} s",
            _label, _batches, _total, _loss, AccuracyText(", accuracy "), Rate(elapsed), elapsed.TotalSeconds);
        if (IsLive) Draw(summary);
        _output.Write(IsLive ? "\n" : summary + "\n");
        _output.Flush();
    }

    private string Line(TimeSpan elapsed)
    {
        var ci = CultureInfo.InvariantCulture;
        int filled = _total == 0 ? BarWidth : (int)Math.Min(BarWidth, (long)BarWidth * _batches / _total);
        string bar = new string('=', filled) + new string(' ', BarWidth - filled);
        string eta = _batches > 0 && _batches < _total
            ? " ETA " + Clock(TimeSpan.FromTicks(elapsed.Ticks / _batches * (_total - _batches)))
            : "";
        return string.Format(ci, "{0} {1}/{2} [{3}] loss {4:F4}{5} {6:F0} samples/s{7}",
            _label, _batches, _total, bar, _loss, AccuracyText(" acc "), Rate(elapsed), eta);
    }

    /// <summary>Rewrites the current line, padding with spaces where the previous one was longer.</summary>
    private void Draw(string line)
    {
        _output.Write("\r" + line.PadRight(_lastLength));
        _output.Flush();
        _lastLength = line.Length;
    }

    private string AccuracyText(string prefix) =>
        double.IsNaN(_accuracy) ? "" : prefix + (_accuracy * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private double Rate(TimeSpan elapsed) => elapsed.TotalSeconds > 0 ? _samples / elapsed.TotalSeconds : 0;

    private static string Clock(TimeSpan t) =>
        t.TotalHours >= 1
            ? string.Format(CultureInfo.InvariantCulture, "{0}:{1:D2}:{2:D2}", (int)t.TotalHours, t.Minutes, t.Seconds)
            : string.Format(CultureInfo.InvariantCulture, "{0}:{1:D2}", t.Minutes, t.Seconds);
}
