using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Lowers the simplified inference graph (<see cref="CompiledModel.Output"/> and what it hangs from, before
/// fusion) to the body of the generated <c>ExportOnnx</c>: one <c>__g.Node(...)</c> call per ONNX node, an
/// initializer per parameter and running statistic read from the model's arrays at run time, constants and
/// shapes written as literals. Values are named <c>%id</c> as in <c>GraphText</c>, so no ONNX name can clash
/// with an input (a C# identifier) or a parameter (a dotted path). The per-op table is OnnxLowering.Ops.cs.
/// </summary>
internal sealed partial class OnnxLowering
{
    private readonly SourceWriter _w;
    private readonly CompiledModel _model;
    private readonly Dictionary<Node, string> _names = new();
    private readonly Dictionary<string, string> _constants = new();
    private int _temp;
    private string? _batch, _batchFloat;
    private IReadOnlyList<Node> _inputs = new Node[0];
    // Where nodes go: the model's graph (__g) or, while a loop body is lowered, that body's subgraph; and the
    // prefix of value names there. Constants and the batch size always live in __g (a body reads them by name).
    private string _builder = "__g", _prefix = "%";
    private int _scans;

    private OnnxLowering(SourceWriter w, CompiledModel model) { _w = w; _model = model; }

    /// <summary>Writes the statements; throws <see cref="OnnxUnsupportedException"/> (nothing usable written) for an op with no mapping.</summary>
    public static void Write(SourceWriter w, CompiledModel model, string className)
    {
        var lowering = new OnnxLowering(w, model);
        w.Line($"var __g = new global::Dl.Onnx.OnnxGraphBuilder({Identifiers.StringLiteral(className)}, {OnnxEmitter.Opset});");
        // Inputs first, in the order Predict takes them (not the labels only the loss reads), so the file's
        // signature is Predict's.
        var graph = GraphBuilder.Topological(new[] { model.Output }).ToList();
        lowering._inputs = model.Inputs.Where(graph.Contains).ToList();
        foreach (var input in lowering._inputs) lowering.Lower(input);
        foreach (var node in graph)
            if (!lowering._names.ContainsKey(node)) lowering.Lower(node);
        string result = lowering._names[model.Output];
        string output = lowering._inputs.Any(i => ((InputOp)i.Op).InputName == "output") ? "output_" : "output";
        lowering.Emit("Identity", new[] { result }, output);
        w.Line($"__g.Output({Identifiers.StringLiteral(output)}, {Dims(model.Output.Shape)}{ElementType(model.Output)});");
        w.Line("__g.WriteTo(stream);");
    }

    private string Name(Node n) => _names[n];

    private string Fresh() => "%t" + (_temp++).ToString(CultureInfo.InvariantCulture);

    /// <summary>Emits one node; <paramref name="attributes"/> are chained calls such as <c>.Int("axis", 1)</c>.</summary>
    private void Emit(string op, string[] inputs, string output, string attributes = "") =>
        _w.Line($"{_builder}.Node({Identifiers.StringLiteral(op)}, new string[] {{ {string.Join(", ", inputs.Select(Identifiers.StringLiteral))} }}, new string[] {{ {Identifiers.StringLiteral(output)} }}){attributes};");

    /// <summary>Emits <paramref name="op"/> into a fresh temporary and returns its name.</summary>
    private string Temp(string op, string[] inputs, string attributes = "")
    {
        var t = Fresh();
        Emit(op, inputs, t, attributes);
        return t;
    }

    /// <summary>A float scalar initializer (one per value): broadcasting gives it any shape.</summary>
    private string Scalar(double value)
    {
        string literal = Sizes.Float(value);
        if (_constants.TryGetValue("f" + literal, out var name)) return name;
        name = "%c" + _constants.Count.ToString(CultureInfo.InvariantCulture);
        _w.Line($"__g.Fill({Identifiers.StringLiteral(name)}, new long[0], {literal});");
        return _constants["f" + literal] = name;
    }

    /// <summary>A 1-D int64 initializer (axes, bounds, static shapes), one per distinct list.</summary>
    private string Longs(params long[] values)
    {
        string text = string.Join(", ", values.Select(v => v == long.MinValue ? "long.MinValue" : v.ToString(CultureInfo.InvariantCulture)));
        if (_constants.TryGetValue("l" + text, out var name)) return name;
        name = "%c" + _constants.Count.ToString(CultureInfo.InvariantCulture);
        _w.Line($"__g.Int64Initializer({Identifiers.StringLiteral(name)}, new long[] {{ {values.Length} }}, new long[] {{ {text} }});");
        return _constants["l" + text] = name;
    }

    /// <summary>The batch size as an int64 [1] tensor, sliced once from the shape of the first input that has the batch dimension.</summary>
    private string Batch()
    {
        if (_batch is not null) return _batch;
        foreach (var input in _inputs)
            for (int axis = 0; axis < input.Shape.Rank; axis++)
                if (input.Shape[axis].IsBatch)
                {
                    _batch = Fresh();
                    _w.Line($"__g.Node(\"Shape\", new string[] {{ {Identifiers.StringLiteral(Name(input))} }}, new string[] {{ {Identifiers.StringLiteral(_batch)} }}).Int(\"start\", {axis}).Int(\"end\", {axis + 1});");
                    return _batch;
                }
        throw new OnnxUnsupportedException("no input has the batch dimension, so a batch-sized value cannot be shaped");
    }

    /// <summary>The batch size as a float scalar (for means over the batch: Scale by N^p).</summary>
    private string BatchFloat()
    {
        if (_batchFloat is not null) return _batchFloat;
        string batch = Batch(), builder = _builder;
        _builder = "__g";
        _batchFloat = Temp("Cast", new[] { Temp("Squeeze", new[] { batch, Longs(0) }) }, ".Int(\"to\", 1)");
        _builder = builder;
        return _batchFloat;
    }

    /// <summary>A shape as an int64 tensor: a literal when static, else the batch size concatenated with the static parts.</summary>
    private string ShapeTensor(Shape shape)
    {
        if (!shape.HasBatch) return Longs(shape.Select(d => (long)d.Size).ToArray());
        var parts = new List<string>();
        var run = new List<long>();
        foreach (var d in shape)
        {
            if (!d.IsBatch) { run.Add(d.Size); continue; }
            if (run.Count > 0) { parts.Add(Longs(run.ToArray())); run.Clear(); }
            parts.Add(Batch());
        }
        if (run.Count > 0) parts.Add(Longs(run.ToArray()));
        return parts.Count == 1 ? parts[0] : Temp("Concat", parts.ToArray(), ".Int(\"axis\", 0)");
    }

    private static string Dims(Shape s) => s.Rank == 0 ? "new long[0]" : "new long[] { " + string.Join(", ", s.Select(d => d.IsBatch ? "-1" : d.Size.ToString(CultureInfo.InvariantCulture))) + " }";

    private static string ElementType(Node n) => n.Type == DType.Int32 ? ", global::Dl.Onnx.OnnxElementType.Int32" : "";

    private static string LongList(IEnumerable<long> values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The error for an op with no mapping: the op, the node and its shape, as GraphText writes them.</summary>
    private static OnnxUnsupportedException Unsupported(Node n, string why) =>
        new($"the op {n.Op.Name} ({n}) has no ONNX mapping: {why}", n);
}
