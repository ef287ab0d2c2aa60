using System.Linq;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Names the generator derives from the user's: hint names of the generated files (valid, and unique
/// over all models even when two models' names differ only in case or in generic arity) and the
/// declarations it re-opens (keywords escaped). Each of these threw inside the generator before.
/// </summary>
public class NamingTests
{
    private static string Tiny(string name) =>
        $"[Model] public partial class {name} {{ readonly Dense d = new(3, 2); public Tensor Forward([Input(3)] Tensor x) => d.Forward(x); }}";

    private static void AssertNoGeneratorFailure(Run run)
    {
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8784" or "CS8785" or "DL9999");
    }

    [Fact]
    public void A_namespace_of_keywords_gets_a_valid_hint_name_and_compiles()
    {
        var run = Generate("using Dl;\nnamespace @if.@class;\n" + Tiny("M"));
        AssertNoGeneratorFailure(run);
        Assert.Equal("if.class.M.g.cs", Assert.Single(run.Sources).HintName);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void A_model_nested_in_a_keyword_named_class_compiles()
    {
        var run = Generate("using Dl;\nnamespace Test;\npublic partial class @event\n{\n" + Tiny("M") + "\n}\n");
        AssertNoGeneratorFailure(run);
        Assert.Equal("Test.event.M.g.cs", Assert.Single(run.Sources).HintName);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void Models_whose_names_differ_only_in_case_get_two_files()
    {
        var run = Generate("using Dl;\nnamespace Test;\n" + Tiny("Mlp") + "\n" + Tiny("mlp"));
        AssertNoGeneratorFailure(run);
        Assert.Equal(new[] { "Test.Mlp.g.cs", "Test.mlp_2.g.cs" }, run.Sources.Select(s => s.HintName).OrderBy(h => h, System.StringComparer.Ordinal));
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void Models_nested_in_a_generic_and_a_plain_class_of_one_name_do_not_clash()
    {
        var run = Generate("using Dl;\nnamespace Test;\npublic partial class Holder\n{\n" + Tiny("M") + "\n}\npublic partial class Holder<T>\n{\n" + Tiny("M") + "\n}\n");
        AssertNoGeneratorFailure(run);
        Assert.Equal("Test.Holder.M.g.cs", Assert.Single(run.Sources).HintName);
        var generic = Assert.Single(run.Diagnostics);
        Assert.Equal("DL0004", generic.Id);
        Assert.Contains("inside a generic type ('Test.Holder<T>')", generic.GetMessage());
        Assert.Equal("Test.Holder`1.M.g.cs", run.Specs.Single(s => s.FullName == "Test.Holder<T>.M").HintName);
    }

    [Fact]
    public void A_nested_class_named_like_another_models_qualified_name_does_not_crash_the_generator()
    {
        // Class A.B nested in namespace A's class B, and namespace A.B: C# reports the clash (CS0101);
        // the generator must still add both files without throwing.
        var run = Generate("using Dl;\nnamespace A { public partial class B { " + Tiny("C") + " } }\nnamespace A.B { " + Tiny("C") + " }\n");
        AssertNoGeneratorFailure(run);
        Assert.Equal(run.Sources.Count, run.Sources.Select(s => s.HintName.ToUpperInvariant()).Distinct().Count());
    }

    [Fact]
    public void A_model_named_with_a_keyword_keeps_its_plain_name_in_the_spec_and_the_file_name_and_compiles()
    {
        var run = Generate("using Dl;\nnamespace Test;\n" + Tiny("@class"));
        AssertNoGeneratorFailure(run);
        var spec = Assert.Single(run.Specs);
        Assert.Equal("class", spec.ClassName);
        Assert.Equal("Test.class.g.cs", Assert.Single(run.Sources).HintName);
        Assert.Empty(run.CompilationErrors); // the emitter escapes it (@class)
    }

    [Fact]
    public void A_struct_model_gets_a_diagnostic_not_silence()
    {
        // [Model] allows classes only, so C# reports CS0592 too; the generator says what to do.
        var run = Generate("using Dl;\nnamespace Test;\n[Model] public partial struct S { public Tensor Forward([Input(3)] Tensor x) => x; }");
        AssertNoGeneratorFailure(run);
        Assert.Equal("DL0025", Assert.Single(run.Diagnostics).Id);
        Assert.Contains("'S' is a struct", run.Diagnostics[0].GetMessage());
    }

    [Fact]
    public void Unique_hint_names_do_not_depend_on_the_order_of_the_models()
    {
        var names = new[] { "A.M.g.cs", "a.m.g.cs", "A.M_2.g.cs", "B.g.cs" };
        var forward = Dl.SourceGen.Spec.HintNames.Unique(names);
        var backward = Dl.SourceGen.Spec.HintNames.Unique(names.Reverse().ToList()).Reverse().ToList();
        Assert.Equal(forward, backward);
        Assert.Equal(4, forward.Select(n => n.ToUpperInvariant()).Distinct().Count());
        Assert.Equal("B.g.cs", forward[3]);
    }
}
