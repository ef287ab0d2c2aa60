using System.Collections.Generic;
using System.Linq;

namespace Dl.Compiler;

/// <summary>
/// A generated ILGPU kernel: a static method over value types and views (one thread per output
/// element, the first parameter its index) and the typed launcher delegate it is loaded into once.
/// </summary>
public sealed class GpuKernelCode
{
    public GpuKernelCode(string name, string summary, IReadOnlyList<string> parameters, IReadOnlyList<string> body)
    {
        Name = name; Summary = summary; Parameters = parameters; Body = body;
    }

    public string Name { get; }
    public string Summary { get; }
    /// <summary>"global::ILGPU.ArrayView&lt;float&gt; x0", "float s13", ... after the index and <c>n</c>.</summary>
    public IReadOnlyList<string> Parameters { get; }
    public IReadOnlyList<string> Body { get; }

    /// <summary>Identity of the code regardless of name: a kernel reached from two entry points is emitted and loaded once.</summary>
    public string Shape => string.Join(", ", Parameters) + "\n" + string.Join("\n", Body);

    public string Launcher => Identifiers.Reserved + Name + "_Launcher";
    public string Field => Identifiers.Reserved + Name;

    public GpuKernelCode Renamed(string name) => new(name, Summary, Parameters, Body);

    public void Write(SourceWriter w, int otherNodes = 0)
    {
        string parameters = string.Concat(Parameters.Select(p => ", " + p));
        w.Line(KernelCode.Doc(Summary, otherNodes));
        w.Open($"private static void {Name}(global::ILGPU.Index1D index, int n{parameters})");
        foreach (var line in Body) w.Line(line);
        w.Close();
        w.Line($"private delegate void {Launcher}(global::ILGPU.Runtime.AcceleratorStream stream, global::ILGPU.Index1D extent, int n{parameters});");
    }
}

/// <summary>Generated kernels by their code: the same code is emitted and loaded once (see the CPU emitter's table).</summary>
public sealed class GpuKernelTable
{
    public GpuKernelTable(IReadOnlyDictionary<Dl.Graph.Node, int>? ids = null) => Ids = ids;

    /// <summary>The dense node numbers the summaries print (the CPU class's GraphText numbers).</summary>
    public IReadOnlyDictionary<Dl.Graph.Node, int>? Ids { get; }

    private readonly Dictionary<string, GpuKernelCode> _byName = new();
    private readonly Dictionary<string, GpuKernelCode> _byShape = new();
    private readonly Dictionary<GpuKernelCode, HashSet<string>> _served = new();
    private readonly List<GpuKernelCode> _codes = new();
    public IReadOnlyList<GpuKernelCode> Codes => _codes;

    /// <summary>How many other nodes' kernels launch <paramref name="code"/>.</summary>
    public int OtherNodes(GpuKernelCode code) => _served[code].Count - 1;

    public GpuKernelCode Add(GpuKernelCode code)
    {
        string shape = code.Shape;
        if (_byShape.TryGetValue(shape, out var same))
        {
            _served[same].Add(code.Summary); // names say what code computes, so equal names are no longer one node
            return same;
        }
        for (int suffix = 0; ; suffix++)
        {
            string name = KernelCode.Suffixed(code.Name, suffix);
            if (_byName.ContainsKey(name)) continue;
            var named = code.Renamed(name);
            _byName[name] = named;
            _byShape[shape] = named;
            _served[named] = new HashSet<string> { code.Summary };
            _codes.Add(named);
            return named;
        }
    }
}
