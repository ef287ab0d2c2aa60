using Dl.Tests;
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The generator never hangs, never crashes and never emits code that fails to compile: every case of
/// <see cref="FuzzCorpus"/> (seeded mutations of the seed models) runs through the generator driver as a
/// build would, and must end within <see cref="CaseBudget"/> of CPU time (generation and compiling its output)
/// with no generator exception and no DL9999. When the mutated source compiles on its own, the output
/// (user code plus generated code) must compile too, and a model that gets no source must get a DL error
/// saying why. The failure message holds the seed, the mutation and the full mutated source.
/// </summary>
public class GeneratorFuzzTests
{
    /// <summary>
    /// The issue's bound for one case, in CPU time of the threads that generate and compile (see
    /// <see cref="ThreadCpuTime"/>): a case that works longer is a defect (a blow-up). Wall time is not the
    /// measure: under a loaded machine cases of ~1 s of work took 5-6 s and failed the bound.
    /// </summary>
    private static readonly TimeSpan CaseBudget = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A generator that has not returned after this much wall time is hung (a loop that waits, not one that
    /// works, would never exhaust <see cref="CaseBudget"/>); generous so that load alone never reaches it.
    /// </summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    public static IEnumerable<object[]> Cases => FuzzCorpus.Cases.Select(c => new object[] { c.Id });

    [Fact]
    public void Corpus_is_a_few_hundred_cases_over_at_least_eight_seeds()
    {
        Assert.InRange(FuzzCorpus.Cases.Count, 300, 1000);
        Assert.True(FuzzSeeds.All.Length >= 8);
        Assert.Equal(FuzzCorpus.Cases.Count, FuzzCorpus.Cases.Select(c => c.Id).Distinct().Count());
        // Every seed compiles and generates code that compiles: otherwise its mutations test little.
        foreach (var (name, source) in FuzzSeeds.All)
        {
            var outcome = Run(source);
            Assert.True(outcome.UserErrors.Count == 0, $"seed {name} does not compile: {string.Join("; ", outcome.UserErrors)}");
            Assert.True(outcome.Problems.Count == 0, $"seed {name}: {string.Join("; ", outcome.Problems)}");
            Assert.True(outcome.Sources.Count > 0 && outcome.Diagnostics.Count == 0, $"seed {name}: {outcome.Sources.Count} file(s), diagnostics: {string.Join("; ", outcome.Diagnostics)}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generator_survives_the_mutated_model(string id)
    {
        var fuzz = FuzzCorpus.ById[id];
        var outcome = Run(fuzz.Source);
        Assert.True(outcome.Problems.Count == 0,
            $"fuzz case '{fuzz.Id}' (seed model {fuzz.Seed}, mutation: {fuzz.Mutation}"
            + (fuzz.RandomSeed != 0 ? $", random seed {fuzz.RandomSeed}" : "") + $", {outcome.Elapsed.TotalMilliseconds:F0} ms):\n  "
            + string.Join("\n  ", outcome.Problems) + "\n---- mutated source ----\n" + fuzz.Source);
    }

    private sealed record Outcome(TimeSpan Elapsed, IReadOnlyList<string> Problems, IReadOnlyList<string> UserErrors, IReadOnlyList<string> Sources)
    {
        public IReadOnlyList<string> Diagnostics { get; init; } = Array.Empty<string>();
    }

    private static Outcome Run(string source)
    {
        var problems = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        var input = GeneratorHarness.Compilation(("Model.cs", source));
        var userErrors = input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(Format).ToList();

        using var cancel = new CancellationTokenSource();
        Compilation? output = null;
        ImmutableArray<Diagnostic> diagnostics = default;
        GeneratorDriver? driver = null;
        var generationCpu = TimeSpan.Zero;
        var generation = Task.Run(() =>
        {
            var start = ThreadCpuTime.Now();
            driver = GeneratorHarness.Driver(track: false).RunGeneratorsAndUpdateCompilation(input, out output, out diagnostics, cancel.Token);
            generationCpu = ThreadCpuTime.Now() - start;
        });
        // A blow-up that ends is caught by the CPU budget below; one that does not end, by this limit.
        if (!generation.Wait(HangLimit))
        {
            cancel.Cancel();
            problems.Add($"the generator did not finish within {HangLimit.TotalSeconds:F0} s of wall time (a hang or a blow-up)");
            return new Outcome(stopwatch.Elapsed, problems, userErrors, Array.Empty<string>());
        }

        var result = driver!.GetRunResult().Results.Single();
        if (result.Exception is { } exception)
            problems.Add($"generator exception: {exception.GetType().Name}: {exception.Message}");
        foreach (var d in diagnostics.Where(d => d.Id is "CS8784" or "CS8785" or "DL9999"))
            problems.Add("generator failure: " + Format(d));
        var sources = result.GeneratedSources.Select(s => s.HintName).ToList();

        // With nothing generated the output is the input, whose errors are known: compile only when there is code to check.
        var compileCpu = TimeSpan.Zero;
        if (userErrors.Count == 0 && result.GeneratedSources.Length > 0)
        {
            // Generated code must compile whenever the user's code does: every new error is a defect.
            // One thread (no concurrent build), so that thread's CPU clock sees all of the compiler's work.
            var compileStart = ThreadCpuTime.Now();
            var outputErrors = output!.WithOptions(output.Options.WithConcurrentBuild(false)).GetDiagnostics()
                .Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            compileCpu = ThreadCpuTime.Now() - compileStart;
            foreach (var d in outputErrors)
                problems.Add("the output does not compile: " + Format(d) + (d.Location.SourceTree is { } t && result.GeneratedSources.Any(s => s.SyntaxTree == t) ? " (generated code)" : " (user code)"));
        }
        if (userErrors.Count == 0)
        {
            // A model without output must have an error saying why.
            bool dlError = diagnostics.Any(d => d.Id.StartsWith("DL", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);
            int models = ModelCount(input);
            int cpuSources = sources.Count(h => !h.EndsWith(".Gpu.g.cs", StringComparison.Ordinal));
            if (!dlError && cpuSources < models)
                problems.Add($"{models} model(s) but {cpuSources} generated file(s) and no DL error: the generator silently generated nothing");
        }
        var work = generationCpu + compileCpu;
        if (work > CaseBudget)
            problems.Add($"the case worked {work.TotalSeconds:F1} s ({(ThreadCpuTime.IsThreadClock ? "CPU" : "wall")} time: generation {generationCpu.TotalSeconds:F1} s, "
                + $"compiling its output {compileCpu.TotalSeconds:F1} s; budget {CaseBudget.TotalSeconds:F0} s)");
        return new Outcome(stopwatch.Elapsed, problems, userErrors, sources) { Diagnostics = diagnostics.Select(Format).ToList() };
    }

    /// <summary>Distinct [Model] types in the compilation (a partial class with two parts counts once).</summary>
    private static int ModelCount(Compilation compilation) => compilation.SyntaxTrees
        .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Where(t => t.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Model" or "Dl.Model" or "ModelAttribute"))
            .Select(t => compilation.GetSemanticModel(tree).GetDeclaredSymbol(t)))
        .Where(s => s is not null)
        .Distinct(SymbolEqualityComparer.Default)
        .Count();

    private static string Format(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return $"{d.Id} at {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
