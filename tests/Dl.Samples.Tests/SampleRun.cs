using System;
using System.IO;
using System.Linq;

namespace Dl.Samples.Tests;

/// <summary>A sample's entry point: arguments, stdout, stderr; returns the exit code.</summary>
internal delegate int SampleEntry(string[] args, TextWriter output, TextWriter error);

/// <summary>One in-process run of a sample's command line, with what it printed.</summary>
internal sealed record SampleRun(string Sample, string[] Args, int ExitCode, string Output, string Error)
{
    public static SampleEntry Entry(string sample) => sample switch
    {
        "lenet" => LeNet.LeNetApp.Run,
        "adversarial" => Adversarial.AdversarialApp.Run,
        "inference" => Inference.InferenceApp.Run,
        "sequential-mnist" => SequentialMnist.SequenceApp.Run,
        "charrnn" => CharRnn.CharRnnApp.Run,
        "gan" => Gan.GanApp.Run,
        "transfer" => Transfer.TransferApp.Run,
        "autoencoder" => Autoencoder.AutoencoderApp.Run,
        _ => throw new ArgumentException("no sample " + sample, nameof(sample)),
    };

    public static SampleRun Of(string sample, params string[] args) => Of(sample, new StringWriter(), args);

    /// <summary>A run whose stdout is <paramref name="output"/> (a writer that fails, for instance).</summary>
    public static SampleRun Of(string sample, TextWriter output, params string[] args)
    {
        var error = new StringWriter();
        int code = Entry(sample)(args, output, error);
        return new SampleRun(sample, args, code, output.ToString() ?? "", error.ToString());
    }

    /// <summary>Fails with the run's own words when it did not succeed.</summary>
    public SampleRun Succeeded()
    {
        Assert.True(ExitCode == 0, $"{this}: exit code {ExitCode}; stderr: {Error}; stdout: {Output}");
        Assert.Equal("", Error);
        return this;
    }

    /// <summary>
    /// The run failed with <paramref name="exitCode"/> and exactly one line on stderr, "sample: ...", that contains
    /// every one of <paramref name="expected"/> and nothing of a stack trace.
    /// </summary>
    public SampleRun FailedWith(int exitCode, params string[] expected)
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{this}: expected one line on stderr, got {lines.Length}:\n{Error}");
        string line = lines[0].TrimEnd('\r');
        Assert.True(ExitCode == exitCode, $"{this}: exit code {ExitCode}, expected {exitCode}; stderr: {line}");
        Assert.StartsWith(Sample + ": ", line, StringComparison.Ordinal);
        foreach (string part in expected)
            Assert.True(line.Contains(part, StringComparison.Ordinal), $"{this}: stderr lacks '{part}':\n{line}");
        // A stack trace names exception types and frames; a message for the user does neither.
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error, StringComparison.Ordinal);
        return this;
    }

    /// <summary>The line of stdout that starts with <paramref name="prefix"/>.</summary>
    public string Line(string prefix) =>
        Output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"{this}: no line starting '{prefix}' in:\n{Output}");

    public override string ToString() => $"{Sample} {string.Join(' ', Args)}";
}
