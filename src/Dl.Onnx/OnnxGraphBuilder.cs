using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Dl.Onnx.Proto;
using Google.Protobuf;

namespace Dl.Onnx;

/// <summary>
/// Builds one ONNX model (a single graph, default domain) and writes it with Google.Protobuf. The generated
/// <c>ExportOnnx</c> member of a compiled model calls it: the graph's structure (nodes, attributes, shapes) is
/// fixed at build time by the source generator, and only the weights are read at run time, from the model's
/// <c>Parameters</c> and <c>State</c>. Nothing here inspects a model by reflection.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The symbolic name written for the batch dimension (a dimension given as -1).</summary>
    public const string BatchDimension = "N";

    /// <summary>The ONNX IR version written (8: the one ONNX 1.13 and opset 17/18 came with).</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly int _opset;
    // Shared with every subgraph: ONNX wants each value name defined once in the whole model.
    private readonly HashSet<string> _names;

    /// <summary>Starts an empty graph called <paramref name="graphName"/> for operator set <paramref name="opset"/> (17 or newer).</summary>
    public OnnxGraphBuilder(string graphName, int opset = 17)
    {
        if (opset < 17) throw new ArgumentOutOfRangeException(nameof(opset), opset, "the exporter writes opset 17 or newer");
        _graph = new GraphProto { Name = graphName };
        _opset = opset;
        _names = new HashSet<string>(StringComparer.Ordinal);
    }

    private OnnxGraphBuilder(string graphName, OnnxGraphBuilder parent)
    {
        _graph = new GraphProto { Name = graphName };
        _opset = parent._opset;
        _names = parent._names;
    }

    /// <summary>
    /// Starts a subgraph (the body of a <c>Scan</c>, attached with <see cref="OnnxNode.Graph"/>): its nodes may read
    /// any value of this graph by name, and its names must differ from every name in the model.
    /// </summary>
    public OnnxGraphBuilder Subgraph(string graphName) => new(graphName, this);

    internal GraphProto Proto => _graph;

    /// <summary>The number of nodes added so far.</summary>
    public int NodeCount => _graph.Node.Count;

    /// <summary>The number of initializers (weights and constants) added so far.</summary>
    public int InitializerCount => _graph.Initializer.Count;

    /// <summary>Declares a graph input; a dimension of -1 is the symbolic batch dimension <see cref="BatchDimension"/>.</summary>
    public void Input(string name, long[] dims, OnnxElementType type = OnnxElementType.Float) =>
        _graph.Input.Add(Value(Claim(name), dims, type));

    /// <summary>Declares a graph output (a value some node produces); -1 is the batch dimension as for <see cref="Input"/>.</summary>
    public void Output(string name, long[] dims, OnnxElementType type = OnnxElementType.Float) =>
        _graph.Output.Add(Value(name, dims, type));

    /// <summary>Adds a float initializer of shape <paramref name="dims"/> holding a copy of <paramref name="values"/> (little-endian raw data).</summary>
    public void Initializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        Require(dims, values.Length, name);
        _graph.Initializer.Add(Tensor(Claim(name), dims, OnnxElementType.Float, MemoryMarshal.AsBytes(values)));
    }

    /// <summary>Adds a float initializer of shape <paramref name="dims"/> with every element <paramref name="value"/> (a constant of the graph).</summary>
    public void Fill(string name, long[] dims, float value)
    {
        long count = 1;
        foreach (var d in dims) count *= d;
        var values = new float[count];
        Array.Fill(values, value);
        Initializer(name, dims, values);
    }

    /// <summary>Adds an int64 initializer (shapes, axes, slice bounds) holding a copy of <paramref name="values"/>.</summary>
    public void Int64Initializer(string name, long[] dims, ReadOnlySpan<long> values)
    {
        Require(dims, values.Length, name);
        _graph.Initializer.Add(Tensor(Claim(name), dims, OnnxElementType.Int64, MemoryMarshal.AsBytes(values)));
    }

    /// <summary>
    /// Adds a node of the default domain applying <paramref name="opType"/> to <paramref name="inputs"/> (an empty
    /// string is an omitted optional input) and producing <paramref name="outputs"/>; add attributes to the result.
    /// </summary>
    public OnnxNode Node(string opType, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = opType + "_" + _graph.Node.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        node.Input.AddRange(inputs);
        foreach (var o in outputs) node.Output.Add(Claim(o));
        _graph.Node.Add(node);
        return new OnnxNode(node);
    }

    /// <summary>The serialized model: ModelProto with IR version <see cref="IrVersion"/> and the opset given to the constructor.</summary>
    public byte[] ToArray() => Model().ToByteArray();

    /// <summary>Writes the serialized model to <paramref name="stream"/> (left open).</summary>
    public void WriteTo(Stream stream)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        Model().WriteTo(stream);
    }

    /// <summary>Writes the serialized model to the file at <paramref name="path"/>, replacing it.</summary>
    public void Save(string path)
    {
        using var file = File.Create(path);
        WriteTo(file);
    }

    private ModelProto Model()
    {
        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "DlCompiler", ProducerVersion = "1", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        return model;
    }

    private string Claim(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("an ONNX value needs a name", nameof(name));
        if (!_names.Add(name)) throw new ArgumentException($"the value '{name}' is defined twice in the graph", nameof(name));
        return name;
    }

    private static void Require(long[] dims, int length, string name)
    {
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"initializer '{name}': dimension {d} is not a static size", nameof(dims));
            count *= d;
        }
        if (count != length) throw new ArgumentException($"initializer '{name}': the shape holds {count} values, {length} given", nameof(dims));
    }

    private static TensorProto Tensor(string name, long[] dims, OnnxElementType type, ReadOnlySpan<byte> raw)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims);
        return t;
    }

    private static ValueInfoProto Value(string name, long[] dims, OnnxElementType type)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = BatchDimension } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
