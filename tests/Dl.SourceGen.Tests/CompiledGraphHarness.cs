using System;
using Dl.Compiler;
using Dl.Graph;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The compiled-vs-reference check for a graph built by hand (a construct the front end cannot write
/// yet): the graph is compiled and emitted as the generator would, compiled with the probe, run, and
/// compared with the reference evaluator like a model read from source.
/// </summary>
internal static partial class CompiledModelHarness
{
    public static (Outcome Outcome, string Source) RunGraph(ModelGraph graph, int batch, int seed = 1, int labelClasses = 3)
    {
        var source = ModelCompiler.Generate(graph, new ModelDeclaration(null, graph.Name, "public", Array.Empty<string>()));
        var compilation = GeneratorHarness.Compilation((graph.Name + ".g.cs", source), ("DlProbe.cs", Probe("global::" + graph.Name, graph)));
        return (Execute(LoadCompilation(compilation, graph.Name), graph, batch, seed, labelClasses), source);
    }
}
