using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The named mutations of the fuzz test: class-shape changes, name clashes, unsupported constructs,
/// huge sizes and trace-budget breakers, each a function of a seed that returns the mutated source
/// (null where it does not apply to that seed, e.g. a Loss change on an inference-only model).
/// The random ones (literal changes, token deletes, statement swaps) are in <see cref="FuzzCorpus"/>.
/// </summary>
internal static class FuzzMutations
{
    // Lazy: the tables below are initialised after this field would be.
    private static readonly Lazy<(string Name, Func<FuzzSource, string?> Apply)[]> s_all = new(() => Build().ToArray());

    public static (string Name, Func<FuzzSource, string?> Apply)[] All => s_all.Value;

    /// <summary>Generated public members, a user member with each name (the generator must say so, not fail to compile).</summary>
    private static readonly string[] ClashingMembers =
    {
        "public int Parameters => 0;", "public int Gradients;", "public double LearningRate;",
        "public void Predict() { }", "public int TrainStep() => 0;", "public void Evaluate() { }",
        "public void ComputeGradients() { }", "public void InputGradient() { }",
        "public void InitializeParameters(int seed) { }", "public int ParameterLayout => 1;",
        "public const string GraphText = \"\";", "public string GraphDot = \"\";", "public const int ParameterCount = 3;",
        "public int State;", "public int StateLayout;", "public const int StateCount = 0;", "public class Gpu { }",
        // Names the generated code uses privately.
        "private float[] _params = new float[1];", "private readonly float[] _grads = new float[1];", "private int _arena;",
        "private int _capacity;", "private int Arena(int n) => n;", "private int Param(int a, int b) => a + b;",
        "private int Grad;", "private static readonly int s_layout = 1;", "private const int FixedArena = 1;",
        "private const int PerSampleArena = 2;", "private int _seed;", "private long _step;", "private int StateSlot;",
        "private int __params;", "private static void Fused_MatMul_BiasAdd_Relu_0() { }", "private static void MatMul_0() { }",
    };

    /// <summary>Names for Forward's first parameter that generated code also uses (or keywords).</summary>
    private static readonly string[] ParameterNames =
    {
        "n", "arena", "loss", "_params", "@class", "Arena", "Param", "_grads", "random", "seed", "value",
        "p", "count", "s_layout", "LearningRate", "ComputeGradients", "global", "__n", "Vec", "Mem",
    };

    /// <summary>Statements inserted at the start of Forward; <c>{x}</c> is its first parameter.</summary>
    private static readonly (string Name, string Statements, string? Member)[] Statements =
    {
        ("while", "while (false) { }", null),
        ("while-running", "int w = 0; while (w < 2) { w++; }", null),
        ("do", "do { } while (false);", null),
        ("foreach", "foreach (var q in new[] { 1, 2 }) { }", null),
        ("lambda", "System.Func<Tensor, Tensor> f = t => t.Relu(); {x} = f({x});", null),
        ("local-function", "static Tensor Id(Tensor t) => t; {x} = Id({x});", null),
        ("try", "try { {x} = {x}.Relu(); } finally { }", null),
        ("new-dense", "var extra = new Dense(4, 4);", null),
        ("indexing", "var arr = new[] { {x}, {x} }; {x} = arr[0];", null),
        ("switch", "switch (1) { default: break; }", null),
        ("lock", "lock (this) { }", null),
        ("throw", "if (false) throw new System.Exception();", null),
        ("string", "var s = $\"{1}\";", null),
        ("coalesce", "Tensor? q = null; {x} = q ?? {x};", null),
        ("pattern", "if ({x} is Param) {x} = {x}.Relu();", null),
        ("break", "for (int i0 = 0; i0 < 3; i0++) { if (i0 == 1) break; }", null),
        ("continue", "for (int i0 = 0; i0 < 3; i0++) { continue; }", null),
        ("goto", "goto done; done: ;", null),
        ("tuple", "var (ta, tb) = ({x}, {x});", null),
        ("static-field", "{x} = {x} * Scale;", "static float Scale = 2f;"),
        ("mutable-field", "{x} = {x} * scale;", "float scale = 2f;"),
        ("property", "{x} = {x} * Gain;", "float Gain => 2f;"),
        ("unknown-call", "{x} = System.Math.Abs(-1) * {x};", null),
        ("assign-field", "last = {x};", "Tensor? last;"),
        ("early-return", "return {x};", null),
        ("reshape-bad", "{x} = {x}.Reshape(-1, -1);", null),
        ("reshape-array", "{x} = {x}.Reshape(new int[2]);", null),
        ("sum-duplicate-axes", "var s = {x}.Sum(1, 1);", null),
        ("batch-by-batch", "{x} = {x}.MatMul({x}.Transpose()).MatMul({x});", null),
        ("transpose-twice", "{x} = {x}.Transpose().Transpose();", null),
        ("long-division-overflow", "long m = long.MinValue; long q = m / -1;", null),
        ("int-overflow", "int big = 65536; int square = big * big;", null),
        ("division-by-zero", "int zero = 0; int q = 4 / zero;", null),
        ("float-division-by-zero", "float fz = 0f; {x} = {x} / fz;", null),
        ("shift", "int sh = 1 << 40; long lsh = 1L << 70;", null),
        ("cast-overflow", "double d = 1e30; int c = (int)d;", null),
        ("loop-infinite", "for (;;) { }", null),
        ("loop-infinite-ops", "for (int i0 = 0; ; i0++) {x} = {x}.Relu();", null),
        ("loop-nested-4096", "for (int i0 = 0; i0 < 4096; i0++) for (int j0 = 0; j0 < 4096; j0++) { }", null),
        ("loop-nested-ops", "for (int i0 = 0; i0 < 4096; i0++) for (int j0 = 0; j0 < 4096; j0++) {x} = {x} * 1f;", null),
        ("loop-2000-shared", "for (int i0 = 0; i0 < 2000; i0++) {x} = {x} * loopScale;", "readonly Param loopScale = new(Init.Ones, 1);"),
        ("loop-300-chain", "for (int i0 = 0; i0 < 300; i0++) {x} = {x} + 1f;", null),
        ("expression-2000-deep", "{x} = {x}" + string.Concat(Enumerable.Repeat(".Relu()", 2000)) + ";", null),
        ("recursion", "{x} = Again({x});", "Tensor Again(Tensor t) => Again(t);"),
        ("recursion-exponential", "{x} = Twice({x}, 28);", "Tensor Twice(Tensor t, int d) => d == 0 ? t.Relu() : Twice(Twice(t, d - 1), d - 1);"),
        ("recursion-exponential-no-ops", "{x} = Twice({x}, 28);", "Tensor Twice(Tensor t, int d) => d == 0 ? t : Twice(Twice(t, d - 1), d - 1);"),
        ("param-no-shape", "{x} = {x} + extra;", "readonly Param extra = new(Init.He);"),
        ("param-huge", "{x} = {x} + huge.Sum();", "readonly Param huge = new(100000, 100000);"),
        ("param-overflow", "{x} = {x} + huge.Sum();", "readonly Param huge = new(65536, 65536, 2);"),
        ("param-large", "{x} = {x} + large.Mean();", "readonly Param large = new(2048, 2048);"),
        ("dense-huge", "var big = wide.Forward({x}.Flatten().Sum(1).Reshape(-1, 1));", "readonly Dense wide = new(1, 1 << 30);"),
        ("self-layer", "{x} = selfRef.Forward({x});", "readonly SelfRef selfRef = new();"),
        ("self-layer-twice", "{x} = twin.Forward({x});", "readonly Twin twin = new();"),
        ("mutual-layers", "{x} = ping.Forward({x});", "readonly Ping ping = new();"),
        ("self-layer-forward", "{x} = chain.Forward({x});", "readonly Chain chain = new();"),
    };

    /// <summary>Layer classes the trace-budget mutations refer to, added to every file that uses one.</summary>
    private const string BudgetLayers = """
        [Layer] public partial class SelfRef { readonly SelfRef me = new(); readonly Param p = new(Init.Ones, 1); public Tensor Forward(Tensor t) => t * p; }
        [Layer] public partial class Twin { readonly Twin a = new(); readonly Twin b = new(); readonly Param p = new(Init.Ones, 1); public Tensor Forward(Tensor t) => t * p; }
        [Layer] public partial class Ping { readonly Pong other = new(); readonly Param p = new(Init.Ones, 1); public Tensor Forward(Tensor t) => t * p; }
        [Layer] public partial class Pong { readonly Ping other = new(); readonly Param p = new(Init.Ones, 1); public Tensor Forward(Tensor t) => t * p; }
        [Layer] public partial class Chain { readonly Chain next = new(); readonly Param p = new(Init.Ones, 1); public Tensor Forward(Tensor t) => next.Forward(t * p); }
        """;

    private static IEnumerable<(string, Func<FuzzSource, string?>)> Build()
    {
        // ---- class shape ----
        yield return ("record", s => s.Replace(s.Model.Keyword.Span, "record"));
        yield return ("record-struct", s => s.Replace(s.Model.Keyword.Span, "record struct"));
        yield return ("struct", s => s.Replace(s.Model.Keyword.Span, "struct"));
        yield return ("static", s => s.InsertAt(s.Model.Keyword.SpanStart, "static "));
        yield return ("non-partial", s => s.Replace(s.Model.Modifiers.First(m => m.IsKind(SyntaxKind.PartialKeyword)).FullSpan, ""));
        yield return ("sealed", s => s.InsertAt(s.Model.Modifiers.First().SpanStart, "sealed "));
        yield return ("abstract", s => s.InsertAt(s.Model.Modifiers.First().SpanStart, "abstract "));
        yield return ("generic", s => s.InsertAt(s.Model.Identifier.Span.End, "<T>"));
        yield return ("primary-constructor", s => s.InsertAt(s.Model.Identifier.Span.End, "(int width)"));
        yield return ("empty-primary-constructor", s => s.InsertAt(s.Model.Identifier.Span.End, "()"));
        yield return ("file-local", s => s.InsertAt(s.Model.Modifiers.First().SpanStart, "file ").Replace("file public ", "file ").Replace("file internal ", "file "));
        yield return ("base-class-with-constructor", s => new FuzzSource(s.Name, s.InsertAt(s.Model.Identifier.Span.End, " : ModelBase")).AddMember($"public {s.ClassName}(string name) : base(name.Length) {{ }}")
            + "\npublic class ModelBase { protected ModelBase(int width) { } }\n");
        yield return ("base-class-default-constructor", s => s.InsertAt(s.Model.Identifier.Span.End, " : ModelBase") + "\npublic abstract class ModelBase { protected ModelBase(int width = 3) { } public int Width => 3; }\n");
        yield return ("derives-from-model", s => s.AddAfterModel(s.ModelText.Replace(s.ClassName, s.ClassName + "Derived").Replace(s.ClassName + "Derived\n", s.ClassName + "Derived : " + s.ClassName + "\n")));
        yield return ("implements-ICompiledModel", s => s.InsertAt(s.Model.Identifier.Span.End, " : global::System.IDisposable"));
        yield return ("nested-in-partial", s => s.WrapModel("public partial class Holder"));
        yield return ("nested-in-non-partial", s => s.WrapModel("public class Holder"));
        yield return ("nested-in-generic", s => s.WrapModel("public partial class Holder<T>"));
        yield return ("nested-in-struct", s => s.WrapModel("public partial struct Holder"));
        yield return ("nested-in-static", s => s.WrapModel("internal static partial class Holder"));
        yield return ("nested-in-keyword", s => s.WrapModel("public partial class @event"));
        yield return ("nested-in-record", s => s.WrapModel("public partial record Holder"));
        yield return ("namespace-keywords", s => s.Replace(s.Namespace.Name.Span, "@if.@class"));
        yield return ("namespace-global", s => s.Replace(s.NamespaceLine, ""));
        yield return ("namespace-Dl", s => s.Replace(s.Namespace.Name.Span, "Dl"));
        yield return ("namespace-System", s => s.Replace(s.Namespace.Name.Span, "Fuzz.System"));
        yield return ("namespace-block", s => s.Replace(s.NamespaceLine, "namespace Fuzz.Deep {") + "\n}\n");
        yield return ("class-@class", s => s.RenameModel("@class"));
        yield return ("class-Gpu", s => s.RenameModel("Gpu"));
        yield return ("class-Predict", s => s.RenameModel("Predict"));
        yield return ("class-Tensor", s => s.RenameModel("Tensor"));
        yield return ("class-Dl", s => s.RenameModel("Dl"));
        yield return ("hint-case-clash", s => s.AddAfterModel(s.ModelText.Replace(s.ClassName, s.ClassName.ToLowerInvariant())));
        yield return ("hint-generic-outer-clash", s => s.WrapModel("public partial class Holder") + "\npublic partial class Holder<T>\n{\n" + s.ModelText + "\n}\n");
        yield return ("hint-namespace-vs-nested", s => s.Replace(s.NamespaceLine, "") .Replace(s.ModelText,
            "namespace A { public partial class B {\n" + s.ModelText + "\n} }\nnamespace A.B {\n" + s.ModelText + "\n}\n"));
        yield return ("two-models", s => s.AddAfterModel(s.ModelText.Replace(s.ClassName, s.ClassName + "Copy")));

        // ---- Forward and Loss ----
        yield return ("void-forward", s => s.Forward.ExpressionBody is { } e
            ? s.Replace(TextSpan.FromBounds(s.Forward.ReturnType.SpanStart, s.Forward.Span.End),
                "void Forward" + s.Forward.ParameterList + " { var unusedOutput = " + e.Expression + "; }")
            : s.Replace(s.Forward.ReturnType.Span, "void").Replace("return ", "var unusedOutput = "));
        yield return ("void-loss", s => s.Loss is { ExpressionBody: { } e } loss
            ? s.Replace(TextSpan.FromBounds(loss.ReturnType.SpanStart, loss.Span.End), "void Loss" + loss.ParameterList + " { var unusedLoss = " + e.Expression + "; }")
            : null);
        yield return ("static-forward", s => s.InsertAt(s.Forward.ReturnType.SpanStart, "static "));
        yield return ("forward-renamed", s => s.Replace(s.Forward.Identifier.Span, "Forwards"));
        yield return ("forward-overload", s => s.AddMember("public Tensor Forward([Input(3)] Tensor other, [Input(2)] Tensor more) => other;"));
        yield return ("loss-without-parameters", s => s.Loss is null ? null : s.Replace(s.Loss.ParameterList.Span, "()"));
        yield return ("output-times-zero", s => s.WrapForwardResult("{0} * 0f"));
        yield return ("output-constant", s => s.WrapForwardResult("{0} * 0f + 1f"));
        yield return ("forward-identity", s => s.Forward.ExpressionBody is { } e ? s.Replace(e.Expression.Span, s.Input) : null);
        yield return ("loss-times-zero", s => s.WrapLossResult("0f * {0}"));
        yield return ("loss-constant", s => s.WrapLossResult("{0} * 0f"));
        yield return ("gradient-on-input", s => s.Forward.ParameterList.Parameters[0].AttributeLists[0].Attributes[0] is { ArgumentList: { } args }
            ? s.InsertAt(args.CloseParenToken.SpanStart, args.Arguments.Any(a => a.ToString().Contains("Gradient")) ? "" : ", Gradient = true")
            : null);
        yield return ("input-null", s => s.Replace(InputArguments(s), "null"));
        yield return ("input-empty", s => s.Replace(InputArguments(s), ""));
        yield return ("input-negative", s => s.Replace(InputArguments(s), "-4"));
        yield return ("input-huge", s => s.Replace(InputArguments(s), "1 << 30"));
        yield return ("input-overflow", s => s.Replace(InputArguments(s), "65536, 65536"));
        yield return ("input-rank-9", s => s.Replace(InputArguments(s), "1, 1, 1, 1, 1, 1, 1, 1"));
        yield return ("unused-input", s => s.InsertAt(s.Forward.ParameterList.CloseParenToken.SpanStart, ", [Input(3)] Tensor unusedExtra"));
        yield return ("loss-parameter-names", s => s.Loss is null ? null : new FuzzSource(s.Name, s.RenameParameter(s.Loss, 0, "loss")) is var r
            ? r.RenameParameter(r.Loss!, 1, "n") : null);

        // ---- name clashes ----
        foreach (var name in ParameterNames)
            yield return ("parameter-" + name, s => s.RenameParameter(s.Forward, 0, name));
        foreach (var member in ClashingMembers)
            yield return ("member " + member, s => s.AddMember(member));
        yield return ("constructor-int-seed", s => s.AddMember($"public {s.ClassName}(int seed) {{ }}"));
        yield return ("constructor-parameterless", s => s.AddMember($"public {s.ClassName}() : this(1) {{ }}"));
        yield return ("constructor-string", s => s.AddMember($"public {s.ClassName}(string name) : this(0) {{ }}"));
        foreach (var type in new[] { "Vec", "V512", "Mem", "FloatView", "IntView", "System", "Dl", "Array", "Math", "Span" })
        {
            yield return ("type " + type, s => s.AddAfterModel($"public class {type} {{ }}"));
            yield return ("nested-type " + type, s => s.AddMember($"public class {type} {{ }}"));
        }

        // ---- unsupported constructs, constant arithmetic, sizes, trace budgets ----
        foreach (var (name, statements, member) in Statements)
            yield return ("statement " + name, s =>
            {
                var mutated = new FuzzSource(s.Name, s.InsertInForward(statements, member)).Text;
                bool usesBudgetLayer = member is not null && new[] { "SelfRef", "Twin", "Ping", "Chain" }.Any(l => member.StartsWith("readonly " + l + " ", StringComparison.Ordinal));
                return usesBudgetLayer ? mutated + "\n" + BudgetLayers : mutated;
            });
    }

    /// <summary>The argument list of Forward's first [Input(...)].</summary>
    private static TextSpan InputArguments(FuzzSource s)
    {
        var args = s.Forward.ParameterList.Parameters[0].AttributeLists[0].Attributes[0].ArgumentList!;
        var shape = args.Arguments.Where(a => a.NameEquals is null).ToList();
        return TextSpan.FromBounds(shape.First().SpanStart, shape.Last().Span.End);
    }
}
