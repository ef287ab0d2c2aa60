using System;

namespace Samples;

/// <summary>
/// A problem the user can fix (a bad option, a file of the wrong kind, a folder that is not there): the sample prints
/// its one-line message and exits non-zero, without a stack trace.
/// </summary>
internal sealed class SampleException : Exception
{
    public SampleException(string message, int exitCode = SampleHost.Failure) : base(message) => ExitCode = exitCode;

    public SampleException(string message, Exception inner, int exitCode = SampleHost.Failure) : base(message, inner) => ExitCode = exitCode;

    /// <summary><see cref="SampleHost.UsageError"/> for command-line mistakes, <see cref="SampleHost.Failure"/> for the rest.</summary>
    public int ExitCode { get; }
}
