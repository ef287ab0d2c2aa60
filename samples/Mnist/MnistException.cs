using System;

namespace Mnist;

/// <summary>
/// A problem the user can fix (a bad option, a checkpoint from another run, a missing device): the sample
/// prints its one-line message and exits non-zero, without a stack trace.
/// </summary>
internal sealed class MnistException : Exception
{
    public MnistException(string message, int exitCode = 1) : base(message) => ExitCode = exitCode;

    public MnistException(string message, Exception inner) : base(message, inner) => ExitCode = 1;

    /// <summary>2 for command-line mistakes, 1 for everything else.</summary>
    public int ExitCode { get; }
}
