using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Readable names for the values an entry point keeps in memory, for the locals that hold their
/// spans: the layer a value belongs to, then its op (<c>hidden_matMul</c>, <c>hidden_relu</c>,
/// <c>output_biasAdd</c>); a gradient is <c>d_</c> and the name of the value it is the gradient of
/// (<c>d_output_biasAdd</c>: the logits' gradient). A value's layer is that of the parameter it reads,
/// else that of its latest input that has one (a Relu belongs to the Dense before it); a parameter's is
/// its name without the last part (<c>hidden.weight</c>: <c>hidden</c>); an input's is its name.
/// Names are hints for the reader, never semantics: <see cref="EntryStorage"/> makes them unique.
/// </summary>
internal sealed class NodeNames
{
    private readonly CompiledModel _model;
    private readonly Dictionary<Node, string?> _layer = new();
    private readonly Dictionary<Node, string> _name = new();

    public NodeNames(CompiledModel model) => _model = model;

    /// <summary>The name part for <paramref name="node"/>'s value (not yet unique).</summary>
    public string Of(Node node)
    {
        if (_name.TryGetValue(node, out var known)) return known;
        string name;
        if (node == _model.Loss || _model.Objectives.Any(o => o.Gradients.Roots[0] == node)) name = "loss";
        else if (_model.GradientOf.TryGetValue(node, out var of)) name = "d_" + Of(of);
        else name = node.Op switch
        {
            ParamOp p => KernelNames.Part(p.ParamName),
            StateOp s => KernelNames.Part(s.StateName),
            InputOp i => KernelNames.Part(i.InputName),
            CarriedStateOp c => "carried_" + KernelNames.Part(c.StateName),
            LoopSlotOp slot => slot.Kind.ToString().ToLowerInvariant() + slot.Index,
            _ => (Layer(node) is { } layer ? layer + "_" : "") + Camel(KernelNames.Part(node.Op.Name)),
        };
        return _name[node] = name;
    }

    /// <summary>The layer <paramref name="node"/> belongs to, or null (a constant, a loop slot).</summary>
    private string? Layer(Node node)
    {
        if (_layer.TryGetValue(node, out var known)) return known;
        // Inputs first, in topological order, so that a deep chain is no deep recursion.
        foreach (var n in GraphBuilder.Topological(new[] { node }))
            if (!_layer.ContainsKey(n)) _layer[n] = LayerOf(n);
        return _layer[node];
    }

    private string? LayerOf(Node n) => n.Op switch
    {
        ParamOp p => Prefix(p.ParamName),
        StateOp s => Prefix(s.StateName),
        InputOp i => KernelNames.Part(i.InputName),
        _ => n.Inputs.FirstOrDefault(i => i.Op is ParamOp or StateOp) is { } p ? _layer[p]
            : n.Inputs.Where(i => _layer[i] is not null).OrderByDescending(i => i.Id).Select(i => _layer[i]).FirstOrDefault(),
    };

    /// <summary><c>block.inner.weight</c>: <c>block_inner</c>; a name with no dot is its own layer.</summary>
    private static string Prefix(string name)
    {
        int dot = name.LastIndexOf('.');
        return KernelNames.Part(dot > 0 ? name.Substring(0, dot) : name);
    }

    private static string Camel(string op) => op.Length == 0 ? "value" : char.ToLowerInvariant(op[0]) + op.Substring(1);
}
