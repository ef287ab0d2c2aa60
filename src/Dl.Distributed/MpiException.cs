using System;

namespace Dl.Distributed;

/// <summary>
/// MPI could not be loaded or started, a call into it failed, or a collective got no answer from the other ranks
/// within <see cref="MpiSession.Timeout"/>. The message says which, in words, with the rank that saw it.
/// </summary>
public sealed class MpiException : Exception
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public MpiException(string message) : base(message) { }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public MpiException(string message, Exception inner) : base(message, inner) { }
}
