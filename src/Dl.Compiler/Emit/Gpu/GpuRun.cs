using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// The Gpu class's private run methods, one per entry point, read like the CPU's: the named device views
/// first (<c>__View hidden_weight = __P(0, 100352);</c>, see <see cref="EntryStorage"/>), then the launches
/// under the CPU's section headers (<c>// forward</c>, <c>// loss</c>, <c>// backward</c>, <c>// running averages</c>).
/// </summary>
internal sealed partial class GpuClassWriter
{
    /// <summary>The forward output the training entry points compute (batch statistics, dropout), as on the CPU.</summary>
    private Node Training => _m.TrainOutput ?? _m.Output;

    /// <summary>
    /// The private method that enqueues an entry point's kernels, under the headers <paramref name="sections"/> gives.
    /// One that <paramref name="trains"/> (training mode: gradients, Backward, an objective) then advances the host
    /// model's step, as the CPU methods do, so the next step draws new dropout masks and normal samples and both
    /// backends draw the same ones.
    /// </summary>
    private void Run(SourceWriter w, EntryPoint e, string method, Func<Kernel, string> sections, bool loss, bool trains = false)
    {
        w.Line();
        w.Open($"private void {method}(int n)");
        // The launches first, into a writer of their own: the named views declared before them are those they use.
        var storage = new EntryStorage(_m, _names, new[] { "n" }, nameInputs: true);
        var body = w.Nested();
        Calls(body, e, node => Named(storage, e, node, loss), p => storage.Gradient(p, GradientSlot(e, p), GpuEmitter.ViewAlias),
            storage, new long[e.RegionSizes.Count], depth: 0, sections);
        if (trains && _m.DrawsRandom) body.Line($"__host.{_g["__step"]}++;");
        storage.Declare(w);
        w.Append(body);
        w.Close();
    }

    /// <summary>
    /// Enqueues each kernel of a plan (an entry point, or a loop's step) with the views <paramref name="view"/>
    /// gives its nodes, a header where the section changes (a loop's step has none); a loop kernel becomes a host
    /// loop of launches (see GpuLoops.cs).
    /// </summary>
    private void Calls(SourceWriter w, EntryPoint e, Func<Node, string> view, Func<Node, string> gradientSlot, EntryStorage storage,
        IReadOnlyList<long> scratchBase, int depth, Func<Kernel, string>? sections = null)
    {
        string? section = null;
        foreach (var k in e.Kernels)
        {
            if (sections is not null && sections(k) is var now && now != section) { w.Line("// " + now); section = now; }
            if (k is LoopKernel loop)
            {
                var at = e.Scratch[loop].Select((offset, p) => offset + (p < scratchBase.Count ? scratchBase[p] : 0)).ToList();
                Loop(w, loop, view, storage, at, depth);
                continue;
            }
            w.Line(GpuKernelEmitter.Emit(k, view, gradientSlot, _kernels, ($"__host.{_g["__seed"]}", $"__host.{_g["__step"]}")));
        }
    }
}
