using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Dl.SourceGen.Tests;

/// <summary>Runs the generator over model sources in memory, like a build would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions LanguageOptions = new(LanguageVersion.Latest);

    /// <summary>The framework (from the test host's trusted platform assemblies) and Dl.Runtime.</summary>
    public static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name is "System.dll" or "mscorlib.dll" or "netstandard.dll"))
            .Append(typeof(Dl.Tensor).Assembly.Location)
            .Distinct();
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    public static CSharpCompilation Compilation(params (string Path, string Source)[] files) =>
        CSharpCompilation.Create("UserModels",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Source, LanguageOptions, f.Path)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(bool track = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            parseOptions: LanguageOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    public static Run Generate(string source) => Generate(("Model.cs", source));

    public static Run Generate(params (string Path, string Source)[] files)
    {
        var compilation = Compilation(files);
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new Run(compilation, driver, output, diagnostics);
    }

    /// <summary>
    /// Generates and compiles <paramref name="source"/> (no diagnostic errors, no C# errors), loads it in a collectible
    /// context and returns its <c>Test.Driver</c> class, the static methods an end-to-end test calls.
    /// </summary>
    public static (Type Driver, Run Run) LoadDriver(string source, string context)
    {
        var run = Generate(source);
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id} {d.GetMessage()}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        using var stream = new System.IO.MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        stream.Position = 0;
        var driver = new System.Runtime.Loader.AssemblyLoadContext(context, isCollectible: true).LoadFromStream(stream).GetType("Test.Driver");
        Assert.True(driver is not null, "the source has no class Test.Driver");
        return (driver!, run);
    }

    /// <summary>One generator run: the input compilation, the driver (for incremental reruns), the output.</summary>
    public sealed record Run(Compilation Input, GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)
    {
        public GeneratorDriverRunResult Result => Driver.GetRunResult();

        public IReadOnlyList<GeneratedSourceResult> Sources => Result.Results.Single().GeneratedSources;

        /// <summary>The specs the reader produced (from the tracked pipeline step).</summary>
        public IReadOnlyList<ModelSpec> Specs =>
            Result.Results.Single().TrackedSteps.TryGetValue(ModelGenerator.SpecStep, out var steps)
                ? steps.SelectMany(s => s.Outputs).Select(o => (ModelSpec)o.Value).ToList()
                : Array.Empty<ModelSpec>();

        public ModelSpec Spec(string className) => Specs.Single(s => s.ClassName == className);

        /// <summary>C# errors of the user's code plus the generated code.</summary>
        public IReadOnlyList<Diagnostic> CompilationErrors =>
            Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    /// <summary>
    /// Strips span markers <c>[|...|]</c> from test source, returning the clean source and the marked spans in order.
    /// </summary>
    public static (string Source, IReadOnlyList<TextSpan> Spans) Markup(string markup)
    {
        var spans = new List<TextSpan>();
        var text = new System.Text.StringBuilder();
        var open = new Stack<int>();
        for (int i = 0; i < markup.Length; i++)
        {
            if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0) { open.Push(text.Length); i++; continue; }
            if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0) { int start = open.Pop(); spans.Add(TextSpan.FromBounds(start, text.Length)); i++; continue; }
            text.Append(markup[i]);
        }
        if (open.Count > 0) throw new ArgumentException("unclosed [| in test source");
        return (text.ToString(), spans);
    }
}
