using System;
using System.IO;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>One in-process run of the sample's command line, with what it printed.</summary>
internal sealed record SampleRun(int ExitCode, string Output, string Error)
{
    public static SampleRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = MnistApp.Run(args, output, error);
        return new SampleRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Fails with the run's own words when it did not succeed.</summary>
    public SampleRun Succeeded()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Error}; stdout: {Output}");
        return this;
    }

    /// <summary>
    /// Fails unless the run exited with <paramref name="exitCode"/> and printed exactly one line on stderr, "mnist: "
    /// and then a message containing <paramref name="expected"/>, with no exception type and no stack trace.
    /// </summary>
    public SampleRun Refused(int exitCode, string expected)
    {
        Assert.True(ExitCode == exitCode, $"exit code {ExitCode}, expected {exitCode}; stderr: {Error}; stdout: {Output}");
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{Error}");
        Assert.StartsWith("mnist: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        // A stack trace or an unhandled failure would name exception types; a message for the user does not.
        Assert.DoesNotContain("Exception", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error + Output, StringComparison.Ordinal);
        return this;
    }

    /// <summary>The line that starts with <paramref name="prefix"/>.</summary>
    public string Line(string prefix)
    {
        foreach (string line in Output.Split('\n'))
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line.TrimEnd('\r');
        throw new Xunit.Sdk.XunitException($"no line starting '{prefix}' in:\n{Output}");
    }
}
