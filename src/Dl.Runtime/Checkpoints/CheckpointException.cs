using System;
using System.IO;

namespace Dl.Checkpoints;

/// <summary>
/// A checkpoint file is malformed, or does not fit the model it is loaded into. The message names the
/// problem (the tensor, the offending shape or offset, the byte counts). When it is thrown by
/// <see cref="Checkpoint.Load(string, ICompiledModel, bool)"/> the model has not been touched.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so one
/// <c>catch (IOException)</c> covers a bad checkpoint as well as an unreadable one, while
/// <c>catch (CheckpointException)</c> singles out bad bytes.
/// </remarks>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    public CheckpointException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the lower-level failure that revealed it.</summary>
    public CheckpointException(string message, Exception inner) : base(message, inner) { }
}
