using System.Collections.Generic;
using Dl.Onnx.Proto;
using Google.Protobuf;

namespace Dl.Onnx;

/// <summary>A node just added by <see cref="OnnxGraphBuilder.Node"/>: each method adds one attribute and returns the node.</summary>
public sealed class OnnxNode
{
    private readonly NodeProto _node;

    internal OnnxNode(NodeProto node) => _node = node;

    /// <summary>The node's op type (<c>Conv</c>, <c>MatMul</c>...).</summary>
    public string OpType => _node.OpType;

    /// <summary>Adds the integer attribute <paramref name="name"/>.</summary>
    public OnnxNode Int(string name, long value)
    {
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return this;
    }

    /// <summary>Adds the float attribute <paramref name="name"/>.</summary>
    public OnnxNode Float(string name, float value)
    {
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
        return this;
    }

    /// <summary>Adds the string attribute <paramref name="name"/> (UTF-8).</summary>
    public OnnxNode String(string name, string value)
    {
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });
        return this;
    }

    /// <summary>Adds the graph attribute <paramref name="name"/>: <paramref name="body"/>, made with <see cref="OnnxGraphBuilder.Subgraph"/>.</summary>
    public OnnxNode Graph(string name, OnnxGraphBuilder body)
    {
        if (body is null) throw new System.ArgumentNullException(nameof(body));
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = body.Proto });
        return this;
    }

    /// <summary>Adds the list-of-integers attribute <paramref name="name"/>.</summary>
    public OnnxNode Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange((IEnumerable<long>)values);
        _node.Attribute.Add(a);
        return this;
    }
}
