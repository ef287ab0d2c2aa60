using System.Collections.Generic;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Kernel methods by their code: the same code, whether one node's kernel reached from two entry
/// points or the kernels of a shared layer applied at every step of a loop, is emitted once under
/// the first name it came with. Different code under a taken name gets a suffix.
/// </summary>
internal sealed class KernelTable
{
    public KernelTable(IReadOnlyDictionary<Node, int> ids, NodeNames names)
    {
        Ids = ids;
        Names = names;
    }

    /// <summary>The names the entry points give their storage (one set per model: gradients name their forward nodes).</summary>
    public NodeNames Names { get; }

    /// <summary>The dense node numbers the summaries print (GraphText's); a loop body's nodes print their own ids.</summary>
    public IReadOnlyDictionary<Node, int> Ids { get; }

    /// <summary>
    /// Members of the model class written while the entry points are (the method and cached delegate of
    /// each loop split over the batch's rows: CpuEmitter.RowSplit.cs), placed after the entry points.
    /// </summary>
    public SourceWriter? Members { get; set; }

    /// <summary>The row-split loop methods written so far (one per loop kernel of an entry point): the next one's number.</summary>
    public int RowLoops { get; set; }

    private readonly Dictionary<string, KernelCode> _byName = new();
    private readonly Dictionary<string, KernelCode> _byShape = new();
    private readonly Dictionary<KernelCode, HashSet<Node>> _served = new();
    private readonly List<KernelCode> _codes = new();
    public IReadOnlyList<KernelCode> Codes => _codes;

    /// <summary>How many other nodes' kernels call <paramref name="code"/> (its summary names the first).</summary>
    public int OtherNodes(KernelCode code) => _served[code].Count - 1;

    /// <summary>The method for <paramref name="code"/>, computing <paramref name="node"/> (the kernel's last fused node) this time.</summary>
    public KernelCode Add(KernelCode code, Node node)
    {
        string shape = code.Shape;
        if (_byShape.TryGetValue(shape, out var same))
        {
            _served[same].Add(node);
            return same;
        }
        for (int suffix = 0; ; suffix++)
        {
            string name = KernelCode.Suffixed(code.Name, suffix);
            if (_byName.ContainsKey(name)) continue;
            var named = new KernelCode(name, code.Summary, code.Arguments, code.Body, code.Scalars);
            _byName[name] = named;
            _byShape[shape] = named;
            _served[named] = new HashSet<Node> { node };
            _codes.Add(named);
            return named;
        }
    }
}
