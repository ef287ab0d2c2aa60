using System.Linq;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The trace budgets (DL0018-DL0021): each model below hung the generator before (no answer after
/// minutes) and now ends with one error at the user's code. Real models stay well inside them.
/// </summary>
public class BudgetDiagnosticTests
{
    [Fact]
    public void DL0018_a_long_loop_of_ops_stops_at_the_op_that_passes_the_budget() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                // The body reads the step index, so the loop is unrolled rather than made a loop node.
                for (int i = 0; i < 2000; i++) if (i >= 0) x = [|x.Relu()|];
                return x;
            }
        """), "DL0018", "more than 1,024 tensor operations");

    [Fact]
    public void DL0018_a_method_calling_itself_twice_per_level_to_depth_28_stops() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => Fan(x, 28);
            Tensor Fan(Tensor t, int depth)
            {
                if (depth == 0) return t;
                for (int i = 0; i < 2; i++) t = [|Fan(t, depth - 1)|];
                return t;
            }
        """), "DL0018", "more than 4,096 method calls");

    [Fact]
    public void DL0018_the_issue_recursion_Block_of_Block_ends_with_a_budget_error()
    {
        // Block(x, d) => d == 0 ? x : Block(Block(x, d - 1), d - 1) at depth 28 is 2^28 calls.
        var run = Generate(Model("""
            public Tensor Forward([Input(4)] Tensor x) => Block(x, 28).Relu();
            Tensor Block(Tensor x, int d) => d == 0 ? x : Block(Block(x, d - 1), d - 1);
        """));
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("DL0018", diagnostic.Id);
        Assert.Contains("Block(", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void DL0018_a_child_layer_called_twice_per_level_to_depth_28_stops() => Single("""
        using Dl;
        namespace Test;
        [Layer]
        public partial class Cell
        {
            readonly Dense d = new(4, 4);
            public Tensor Forward(Tensor x) => [|d.Forward(x)|];
        }
        [Model]
        public partial class M
        {
            readonly Cell cell = new();
            public Tensor Forward([Input(4)] Tensor x) => Deep(x, 28);
            Tensor Deep(Tensor x, int level) => level == 0 ? cell.Forward(x) : Deep(x, level - 1) + Deep(x, level - 1);
        }
        """, "DL0018", "tensor operations");

    [Fact]
    public void DL0019_nested_4096_by_4096_loops_stop_at_the_inner_loop() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                for (int i = 0; i < 4096; i++)
                    [|for|] (int j = 0; j < 4096; j++) { }
                return x;
            }
        """), "DL0019", "more than 16,384 iterations in all");

    [Fact]
    public void DL0020_a_layer_holding_a_field_of_its_own_type() => Single("""
        using Dl;
        namespace Test;
        [Layer]
        public partial class Box
        {
            readonly Box [|inner|] = new();
            readonly Param p = new(4);
            public Tensor Forward(Tensor x) => x * p;
        }
        [Model]
        public partial class M
        {
            readonly Box box = new();
            public Tensor Forward([Input(4)] Tensor x) => box.Forward(x);
        }
        """, "DL0020", "nested more than 32 deep", "'Box'");

    [Fact]
    public void DL0020_two_layers_holding_each_other() => Single("""
        using Dl;
        namespace Test;
        [Layer] public partial class Ping { readonly Pong other = new(); readonly Param p = new(4); public Tensor Forward(Tensor x) => x * p; }
        [Layer] public partial class Pong { readonly Ping [|other|] = new(); readonly Param p = new(4); public Tensor Forward(Tensor x) => x * p; }
        [Model]
        public partial class M
        {
            readonly Ping ping = new();
            public Tensor Forward([Input(4)] Tensor x) => ping.Forward(x);
        }
        """, "DL0020", "nested more than 32 deep");

    [Fact]
    public void DL0020_a_layer_holding_two_of_itself() => Single("""
        using Dl;
        namespace Test;
        [Layer] public partial class Twin { readonly Twin [|a|] = new(); readonly Twin b = new(); readonly Param p = new(4); public Tensor Forward(Tensor x) => x * p; }
        [Model] public partial class M { readonly Twin twin = new(); public Tensor Forward([Input(4)] Tensor x) => twin.Forward(x); }
        """, "DL0020", "nested more than 32 deep", "'Twin'");

    [Fact]
    public void DL0020_more_layer_instances_than_the_budget()
    {
        // Five of five of five ... : 3,905 instances only 5 deep.
        var run = Generate("""
            using Dl;
            namespace Test;
            [Layer] public partial class L5 { readonly Param p = new(1); public Tensor Forward(Tensor x) => x * p; }
            [Layer] public partial class L4 { readonly L5 a = new(), b = new(), c = new(), d = new(), e = new(); public Tensor Forward(Tensor x) => a.Forward(x); }
            [Layer] public partial class L3 { readonly L4 a = new(), b = new(), c = new(), d = new(), e = new(); public Tensor Forward(Tensor x) => a.Forward(x); }
            [Layer] public partial class L2 { readonly L3 a = new(), b = new(), c = new(), d = new(), e = new(); public Tensor Forward(Tensor x) => a.Forward(x); }
            [Layer] public partial class L1 { readonly L2 a = new(), b = new(), c = new(), d = new(), e = new(); public Tensor Forward(Tensor x) => a.Forward(x); }
            [Model] public partial class M { readonly L1 a = new(), b = new(), c = new(), d = new(), e = new(); public Tensor Forward([Input(4)] Tensor x) => a.Forward(x); }
            """);
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("DL0020", diagnostic.Id);
        Assert.Contains("more than 1,024 layer instances", diagnostic.GetMessage());
        Assert.Equal("new()", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void DL0021_recursion_without_an_end_is_reported_at_the_call_with_the_model_level_call()
    {
        var (source, spans) = Markup("""
            using Dl;
            namespace Test;
            [Layer] public partial class Loop { public Tensor Forward(Tensor x) => [|Forward(x)|]; }
            [Model] public partial class M { readonly Loop l = new(); public Tensor Forward([Input(4)] Tensor x) => [|l.Forward(x)|]; }
            """);
        var diagnostic = Assert.Single(Generate(source).Diagnostics);
        Assert.Equal("DL0021", diagnostic.Id);
        Assert.Equal(spans[0], diagnostic.Location.SourceSpan);
        Assert.Equal(spans[1], Assert.Single(diagnostic.AdditionalLocations).SourceSpan);
        Assert.Contains("'Loop.Forward' keeps calling itself", diagnostic.GetMessage());
    }

    [Fact]
    public void DL0021_a_model_method_without_a_base_case_stops_once() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => Twice(x);
            // The outer call is checked before its argument is read, so the first call past the depth is the outer one.
            Tensor Twice(Tensor t) => [|Twice(Twice(t))|];
        """), "DL0021", "'M.Twice'");

    /// <summary>A ResNet-style model of a few hundred ops (50 residual blocks of conv, batch norm, ReLU) is far inside every budget.</summary>
    [Fact]
    public void A_resnet_style_model_with_hundreds_of_ops_passes_the_budgets()
    {
        var run = Generate("""
            using Dl;
            namespace Test;
            [Layer]
            public partial class Block(int channels)
            {
                readonly Conv2d conv1 = new(channels, channels, 3, padding: 1, bias: false);
                readonly BatchNorm2d bn1 = new(channels);
                readonly Conv2d conv2 = new(channels, channels, 3, padding: 1, bias: false);
                readonly BatchNorm2d bn2 = new(channels);
                public Tensor Forward(Tensor x) => Nn.Relu(x + bn2.Forward(conv2.Forward(Nn.Relu(bn1.Forward(conv1.Forward(x))))));
            }
            [Model]
            public partial class ResNet
            {
                const int Width = 4;
                readonly Conv2d stem = new(1, Width, 3, padding: 1);
                readonly Block b0 = new(Width), b1 = new(Width), b2 = new(Width), b3 = new(Width), b4 = new(Width);
                readonly Block b5 = new(Width), b6 = new(Width), b7 = new(Width), b8 = new(Width), b9 = new(Width);
                readonly Dense head = new(Width, 10);
                public Tensor Forward([Input(1, 6, 6)] Tensor image)
                {
                    var h = stem.Forward(image);
                    for (int stage = 0; stage < 5; stage++)
                        h = b9.Forward(b8.Forward(b7.Forward(b6.Forward(b5.Forward(b4.Forward(b3.Forward(b2.Forward(b1.Forward(b0.Forward(h))))))))));
                    return head.Forward(Nn.GlobalAvgPool2d(h));
                }
                public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
        Assert.InRange(run.Spec("ResNet").Ops.Count, 300, Dl.SourceGen.Reading.TraceBudget.MaxOps);
    }
}
