using System;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Something an optional backend (the GPU, ONNX export) cannot express: the message says what, and
/// <see cref="Node"/> is the node it is about when there is one, so the generator can put its warning on
/// the C# expression that made that node instead of on the model class.
/// </summary>
public class BackendUnsupportedException : NotSupportedException
{
    public BackendUnsupportedException(string message, Node? node = null) : base(message) => Node = node;

    /// <summary>The node the backend cannot run, or null for a model-wide reason (an arena too large, say).</summary>
    public Node? Node { get; }
}
