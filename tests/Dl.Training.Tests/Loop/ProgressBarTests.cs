using System;
using System.IO;
using Dl.Training;

namespace Dl.Training.Tests.Loop;

public class ProgressBarTests
{
    /// <summary>A clock the test moves by hand, in milliseconds.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Milliseconds { get; set; }
        public override long GetTimestamp() => Milliseconds;
        public override long TimestampFrequency => 1000;
    }

    [Fact]
    public void Live_mode_redraws_in_place_at_most_ten_times_a_second_and_ends_with_a_summary()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var bar = new ProgressBar(output, live: true, time: clock);
        Assert.True(bar.IsLive);

        bar.Start("epoch 1", 10);
        clock.Milliseconds = 2000;
        bar.Report(1, 32, 0.5, 0.25);
        string first = "epoch 1 1/10 [==                  ] loss 0.5000 acc 25.00% 16 samples/s ETA 0:18";
        Assert.Equal("\r" + first, output.ToString());

        clock.Milliseconds = 2050; // 50 ms later: throttled
        bar.Report(2, 64, 0.4, 0.5);
        Assert.Equal("\r" + first, output.ToString());

        clock.Milliseconds = 20000;
        bar.Report(5, 160, 0.3, 0.75);
        string second = "epoch 1 5/10 [==========          ] loss 0.3000 acc 75.00% 8 samples/s ETA 0:20";
        // One character shorter than the first line, so padded to erase its last character.
        Assert.Equal(first.Length - 1, second.Length);
        Assert.Equal("\r" + first + "\r" + second + " ", output.ToString());

        clock.Milliseconds = 40000;
        bar.Report(10, 320, 0.25, 0.875);
        bar.Finish();
        string third = "epoch 1 10/10 [====================] loss 0.2500 acc 87.50% 8 samples/s";
        string summary = "epoch 1: 10/10 batches, loss 0.2500, accuracy 87.50%, 8 samples/s, 40.0 s";
        // Each line is padded to cover the text of the one before it.
        Assert.Equal("\r" + first + "\r" + second + " " + "\r" + third.PadRight(second.Length) + "\r" + summary.PadRight(third.Length) + "\n", output.ToString());
    }

    [Fact]
    public void Another_writer_gets_only_the_summary_line()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var bar = new ProgressBar(output, time: clock);
        Assert.False(bar.IsLive);

        bar.Start("valid", 4);
        for (int b = 1; b <= 4; b++)
        {
            clock.Milliseconds += 500;
            bar.Report(b, b * 100, 1.0 / b);
        }
        bar.Finish();

        Assert.Equal("valid: 4/4 batches, loss 0.2500, 200 samples/s, 2.0 s\n", output.ToString());
    }

    [Fact]
    public void Each_epoch_starts_afresh()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var bar = new ProgressBar(output, time: clock);
        bar.Start("epoch 1", 1);
        clock.Milliseconds = 1000;
        bar.Report(1, 10, 2.0, 0.5);
        bar.Finish();
        bar.Start("epoch 2", 1);
        clock.Milliseconds = 3000;
        bar.Report(1, 10, 1.0, 0.75);
        bar.Finish();
        Assert.Equal("epoch 1: 1/1 batches, loss 2.0000, accuracy 50.00%, 10 samples/s, 1.0 s\n" +
                     "epoch 2: 1/1 batches, loss 1.0000, accuracy 75.00%, 5 samples/s, 2.0 s\n", output.ToString());
    }
}
