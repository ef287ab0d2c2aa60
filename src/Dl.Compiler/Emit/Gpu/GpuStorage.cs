using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>Where a Gpu class finds each node on the device: views of its buffers, and the user's inputs by name.</summary>
internal sealed partial class GpuClassWriter
{
    private string InputView(Node input, string n) =>
        $"{_g["__A"]}({_g["__Fixed"]} + {Sizes.Lit(_inputOffset[input])}L * {n}, {Sizes.Count(input.Shape, n)}){(input.Type == DType.Int32 ? ".Cast<int>()" : "")}";

    private string GradientSlot(EntryPoint e, Node param) =>
        $"{_g["__G"]}({Sizes.Lit(((ParamLocation)e.Locations[param]).Offset)}, {Sizes.Lit(param.Shape.StaticCount)})";

    /// <summary>
    /// A device view of a node's storage in an entry point, <paramref name="n"/> naming the batch. The
    /// loss of a loss entry point lives in its own one-float buffer, so ReadLoss finds it whatever ran last.
    /// </summary>
    private string View(EntryPoint e, Node node, bool loss, string n)
    {
        var b = MemoryPlanner.Base(node);
        if (loss && b == MemoryPlanner.Base(e.Roots[0]) && node.Shape.StaticCount == 1 && !node.Shape.HasBatch) return $"{_g["__loss"]}.View";
        return At(e.Locations.TryGetValue(node, out var l) ? l : e.Locations[b], node, n);
    }

    /// <summary>
    /// The named view of a node in a run method: <see cref="View"/>'s expression declared once as a local of
    /// <paramref name="storage"/> (<c>hidden_weight</c>, <c>hidden_relu</c>, <c>image</c>, <c>loss</c>).
    /// </summary>
    private string Named(EntryStorage storage, EntryPoint e, Node node, bool loss)
    {
        string expression = View(e, node, loss, "n");
        if (expression == $"{_g["__loss"]}.View") return storage.Named("loss", expression, GpuEmitter.ViewAlias);
        var location = e.Locations.TryGetValue(node, out var l) ? l : e.Locations[MemoryPlanner.Base(node)];
        return storage.Of(node, location, expression, TypeOf(expression));
    }

    /// <summary>The alias of a view's type: an integer input's slot is a cast of the float arena.</summary>
    private static string TypeOf(string view) => view.EndsWith(".Cast<int>()", StringComparison.Ordinal) ? GpuEmitter.IntViewAlias : GpuEmitter.ViewAlias;

    /// <summary>A device view of <paramref name="node"/> stored at <paramref name="location"/>.</summary>
    private string At(Location location, Node node, string n)
    {
        string count = Sizes.Count(node.Shape, n);
        return location switch
        {
            InputLocation i => InputView(_allInputs.Single(x => ((InputOp)x.Op).InputName == i.Name), n),
            ParamLocation p => $"{_g["__P"]}({Sizes.Lit(p.Offset)}, {count})",
            GradientLocation g => $"{_g["__G"]}({Sizes.Lit(g.Offset)}, {count})",
            StateLocation s => $"{_g["__S"]}({Sizes.Lit(s.Offset)}, {count})",
            ArenaLocation { BatchPower: 1 } a => $"{_g["__A"]}({_g["__Fixed"]} + {Sizes.Lit(a.Offset)}L * {n}, {count})",
            ArenaLocation { BatchPower: 0 } a => $"{_g["__A"]}({Sizes.Lit(a.Offset)}, {count})",
            _ => throw new BackendUnsupportedException($"no device storage for {node}", node),
        };
    }

    /// <summary>An input's name as a C# identifier (escaped when it is a keyword).</summary>
    private static string Name(Node input) => Identifiers.Escape(((InputOp)input.Op).InputName);

    /// <summary>An input's name as the string the run-time checks print.</summary>
    private static string Literal(Node input) => Identifiers.StringLiteral(Identifiers.Bare(((InputOp)input.Op).InputName));

    /// <summary><paramref name="name"/>, with underscores added while an input already has it.</summary>
    private static string Fresh(string name, IEnumerable<Node> inputs)
    {
        var taken = new HashSet<string>(inputs.Select(i => Identifiers.Bare(((InputOp)i.Op).InputName)));
        return Identifiers.Escape(Identifiers.Unused(name, taken));
    }
}
