using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// A loop node (<see cref="ScanOp"/>: recurrent layers, loops over time steps) as ONNX <c>Scan</c>, which has the
/// same shape: a body over carried states and one slice of each sequence per step, captures read from the outer
/// graph by name, final carries and stacked per-step values as outputs, either direction. The body is lowered with
/// the same op table into a subgraph. The final carries of one loop come from one Scan; a stacked value gets its own.
/// </summary>
internal sealed partial class OnnxLowering
{
    private readonly Dictionary<string, string[]> _finals = new();

    private void Scan(Node n, ScanOp loop, string y)
    {
        var body = loop.Body;
        int carries = body.Carries.Count, slices = body.Slices.Count;
        if (slices == 0)
            throw Unsupported(n, "a loop over no sequence (ONNX Scan needs one to count its steps; ONNX Loop is not written yet)");
        string[] outer = n.Inputs.Select(Name).ToArray();
        string key = body.Signature + "|" + loop.Length + "|" + loop.Reverse + "|" + string.Join(",", loop.SliceAxes) + "|" + string.Join(",", outer);
        if (loop.Selection.IsFinal && _finals.TryGetValue(key, out var known))
        {
            Emit("Identity", new[] { known[loop.Selection.Index] }, y);
            return;
        }
        if (_inputs.Any(i => i.Shape.HasBatch)) Batch();   // made in __g before the body can need it

        int k = _scans++;
        string sub = "__b" + k.ToString(CultureInfo.InvariantCulture);
        _w.Line($"var {sub} = __g.Subgraph(\"scan{k}\");");
        var (savedBuilder, savedPrefix) = (_builder, _prefix);
        (_builder, _prefix) = (sub, $"%s{k}.");
        for (int i = 0; i < carries + slices; i++)
        {
            var slot = i < carries ? body.Carries[i] : body.Slices[i - carries];
            string name = _prefix + (i < carries ? "carry" : "slice") + i.ToString(CultureInfo.InvariantCulture);
            _w.Line($"{sub}.Input({Identifiers.StringLiteral(name)}, {Dims(slot.Shape)}{ElementType(slot)});");
            _names[slot] = name;
        }
        for (int j = 0; j < body.Captures.Count; j++) _names[body.Captures[j]] = outer[carries + slices + j];

        var stacked = loop.StackedNode;
        var roots = body.CarriesOut.Concat(stacked is null ? new Node[0] : new[] { stacked }).ToList();
        foreach (var node in GraphBuilder.Topological(roots))
            if (!_names.ContainsKey(node)) Lower(node);
        // Body outputs get names of their own (a carry handed on unchanged, or a capture, is not a new value).
        for (int i = 0; i < roots.Count; i++)
        {
            string name = _prefix + (i < carries ? "next" : "step") + i.ToString(CultureInfo.InvariantCulture);
            Emit("Identity", new[] { Name(roots[i]) }, name);
            _w.Line($"{sub}.Output({Identifiers.StringLiteral(name)}, {Dims(roots[i].Shape)}{ElementType(roots[i])});");
        }
        (_builder, _prefix) = (savedBuilder, savedPrefix);

        var finals = Enumerable.Range(0, carries).Select(i => loop.Selection.IsFinal && i == loop.Selection.Index ? y : Fresh()).ToArray();
        var outputs = stacked is null ? finals : finals.Concat(new[] { y }).ToArray();
        string direction = loop.Reverse ? "1" : "0";
        string attributes = $".Int(\"num_scan_inputs\", {slices})"
            + $".Ints(\"scan_input_axes\", {LongList(loop.SliceAxes.Select(a => (long)a))})"
            + $".Ints(\"scan_input_directions\", {string.Join(", ", Enumerable.Repeat(direction, slices))})"
            // Our stacked values are in time order whichever way the loop runs: a reverse loop prepends.
            + (stacked is null ? "" : $".Ints(\"scan_output_axes\", {loop.Selection.Axis}).Ints(\"scan_output_directions\", {direction})")
            + $".Graph(\"body\", {sub})";
        _w.Line($"{_builder}.Node(\"Scan\", new string[] {{ {string.Join(", ", outer.Take(carries + slices).Select(Identifiers.StringLiteral))} }}, "
            + $"new string[] {{ {string.Join(", ", outputs.Select(Identifiers.StringLiteral))} }}){attributes};");
        if (stacked is null) _finals[key] = finals;
    }
}
