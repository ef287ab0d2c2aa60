using System.Linq;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>Each diagnostic ID: a minimal model that raises it, at the marked span, with the key facts in the message.</summary>
public class DiagnosticTests
{
    /// <summary>Runs the generator on <paramref name="markup"/> and checks exactly one <paramref name="id"/> at the [|marked|] span.</summary>
    internal static Diagnostic Single(string markup, string id, params string[] messageContains)
    {
        var (source, spans) = Markup(markup);
        var run = Generate(source);
        Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostic = Assert.Single(run.Diagnostics.Where(d => d.Id.StartsWith("DL")));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(spans.Single(), diagnostic.Location.SourceSpan);
        Assert.Equal("Model.cs", diagnostic.Location.GetLineSpan().Path);
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var fact in messageContains)
            Assert.Contains(fact, message);
        if (diagnostic.Severity == DiagnosticSeverity.Error)
            Assert.Empty(run.Sources);
        return diagnostic;
    }

    internal static string Model(string members) => $$"""
        using System;
        using Dl;
        namespace Test;
        [Model]
        public partial class M
        {
        {{members}}
        }
        """;

    [Fact]
    public void DL0001_broadcast_mismatch_names_op_and_both_shapes() => Single(Model("""
            readonly Param b = new(10);
            public Tensor Forward([Input(784)] Tensor x) => [|x + b|];
        """), "DL0001", "Add", "[N,784]", "[10]");

    [Fact]
    public void DL0001_clamp_with_min_above_max_names_both() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => [|Nn.Clamp(x, 1f, -1f)|];
        """), "DL0001", "Clamp", "min 1", "max -1");

    [Fact]
    public void DL0001_dense_input_size_mismatch() => Single(Model("""
            readonly Dense hidden = new(100, 10);
            public Tensor Forward([Input(784)] Tensor x) => [|hidden.Forward(x)|];
        """), "DL0001", "Dense 'hidden'", "[N,100]", "[N,784]");

    [Fact]
    public void DL0001_matmul_inner_dimensions() => Single(Model("""
            readonly Param w = new(Init.He, 10, 5);
            public Tensor Forward([Input(8)] Tensor x) => [|x.MatMul(w)|];
        """), "DL0001", "MatMul", "[N,8]", "[10,5]");

    [Fact]
    public void DL0001_inside_a_layer_is_reported_in_the_layer_with_the_call_site()
    {
        var (source, spans) = Markup("""
            using Dl;
            namespace Test;
            [Layer]
            public partial class Gate(int width)
            {
                readonly Param g = new(width);
                public Tensor Forward(Tensor x) => [|x * g|];
            }
            [Model]
            public partial class M
            {
                readonly Gate gate = new(5);
                public Tensor Forward([Input(4)] Tensor x) => [|gate.Forward(x)|];
            }
            """);
        var diagnostic = Assert.Single(Generate(source).Diagnostics);
        Assert.Equal("DL0001", diagnostic.Id);
        Assert.Equal(spans[0], diagnostic.Location.SourceSpan);
        Assert.Equal(spans[1], Assert.Single(diagnostic.AdditionalLocations).SourceSpan);
        Assert.Contains("layer 'gate' (Gate)", diagnostic.GetMessage());
        Assert.Contains("[N,4]", diagnostic.GetMessage());
        Assert.Contains("[5]", diagnostic.GetMessage());
    }

    [Fact]
    public void DL0001_loss_labels_do_not_fit_the_logits() => Single(Model("""
            readonly Dense d = new(4, 3);
            public Tensor Forward([Input(4)] Tensor x) => d.Forward(x);
            public Tensor Loss(Tensor y, [Input(2)] Labels label) => [|Nn.CrossEntropy(y, label)|];
        """), "DL0001", "SoftmaxCrossEntropy", "[N,3]", "[N,2]");

    [Fact]
    public void DL0001_bad_reshape() => Single(Model("""
            public Tensor Forward([Input(784)] Tensor x) => [|x.Reshape(-1, 27, 28)|];
        """), "DL0001", "Reshape", "[N,784]", "[N,27,28]");

    [Fact]
    public void DL0001_axis_out_of_range() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => [|x.Sum(5)|];
        """), "DL0001", "Sum", "axis 5", "[N,4]");

    [Fact]
    public void DL0001_slice_out_of_range() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => [|x.Slice(1, 3, 2)|];
        """), "DL0001", "Slice", "[3:5]", "[N,4]");

    [Fact]
    public void DL0001_select_of_the_batch_axis() => Single(Model("""
            public Tensor Forward([Input(3, 4)] Tensor x) => x.Select(1, 0) + [|x.Select(0, 1)|];
        """), "DL0001", "Select", "batch axis", "[N,3,4]");

    [Fact]
    public void DL0001_stack_of_different_shapes() => Single(Model("""
            public Tensor Forward([Input(3, 4)] Tensor x) => [|Nn.Stack(1, x.Select(1, 0), x.Slice(2, 0, 3))|];
        """), "DL0001", "Stack", "[N,4]", "[N,3,3]");

    [Fact]
    public void DL0001_concat_along_the_batch_axis() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => [|Nn.Concat(0, x, x)|];
        """), "DL0001", "Concat", "batch axis");

    [Fact]
    public void DL0001_bad_parameter_shape_is_reported_at_its_declaration() => Single(Model("""
            readonly Param w = [|new(Init.He, 4, 0)|];
            public Tensor Forward([Input(4)] Tensor x) => x.MatMul(w);
        """), "DL0001", "parameter 'w'", "[4,0]");

    [Fact]
    public void DL0002_dense_on_rank_3_input() => Single(Model("""
            readonly Dense hidden = new(28, 10);
            public Tensor Forward([Input(28, 28)] Tensor x) => [|hidden.Forward(x)|];
        """), "DL0002", "Dense 'hidden'", "rank-2", "[N,28,28]");

    [Fact]
    public void DL0002_softmax_of_a_scalar() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => [|x.Sum().Softmax()|];
        """), "DL0002", "Softmax", "scalar");

    [Fact]
    public void DL0002_sequence_mask_of_a_tensor_with_no_steps() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x, [Input] Labels lengths) => [|Nn.SequenceMask(x.Sum(1), lengths)|];
        """), "DL0002", "SequenceMask", "[N, T, ...]", "got [N]");

    [Fact]
    public void DL0001_sequence_mask_lengths_per_step_not_per_sample() => Single(Model("""
            public Tensor Forward([Input(3, 4)] Tensor x, [Input(2)] Labels lengths) => [|Nn.SequenceMask(x, lengths)|].Tanh();
        """), "DL0001", "SequenceMask", "one per sample of x [N,3,4]", "got [N,2]");

    [Fact]
    public void DL0003_unknown_static_call() => Single("""
        using Dl;
        namespace Test;
        static class Helpers { public static Tensor Swish(Tensor x) => x; }
        [Model]
        public partial class M
        {
            public Tensor Forward([Input(4)] Tensor x) => [|Helpers.Swish(x)|];
        }
        """, "DL0003", "Helpers.Swish");

    [Fact]
    public void DL0003_non_constant_math_call() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => x * [|MathF.Sqrt(2f)|];
        """), "DL0003", "MathF.Sqrt");

    [Fact]
    public void DL0004_while_loop_at_its_keyword() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                int i = 0;
                [|while|] (i < 2) { x = x.Relu(); i++; }
                return x;
            }
        """), "DL0004", "while");

    [Fact]
    public void DL0004_lambda() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                Func<Tensor, Tensor> f = [|t => t.Relu()|];
                return x;
            }
        """), "DL0004", "lambda");

    [Fact]
    public void DL0004_new_layer_inside_forward() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => [|new Dense(4, 2)|].Forward(x);
        """), "DL0004", "declare layers and parameters as fields");

    [Fact]
    public void DL0004_assigning_a_field() => Single(Model("""
            Tensor? last;
            public Tensor Forward([Input(4)] Tensor x) { [|last|] = x; return x; }
        """), "DL0004", "last");

    [Fact]
    public void DL0005_loop_bound_from_a_mutable_field() => Single(Model("""
            int blocks = 3;
            public Tensor Forward([Input(4)] Tensor x)
            {
                for (int i = 0; [|i < blocks|]; i++) x = x.Tanh();
                return x;
            }
        """), "DL0005", "i < blocks");

    [Fact]
    public void DL0006_model_not_partial() => Single("""
        using Dl;
        namespace Test;
        [Model]
        public class [|M|]
        {
            public Tensor Forward([Input(4)] Tensor x) => x;
        }
        """, "DL0006", "'M'");

    [Fact]
    public void DL0006_containing_type_not_partial() => Single("""
        using Dl;
        namespace Test;
        public class [|Outer|]
        {
            [Model]
            public partial class M
            {
                public Tensor Forward([Input(4)] Tensor x) => x;
            }
        }
        """, "DL0006", "'Outer'", "'M'");

    [Fact]
    public void DL0007_missing_forward() => Single("""
        using Dl;
        namespace Test;
        [Model]
        public partial class [|M|]
        {
            public Tensor Run(Tensor x) => x;
        }
        """, "DL0007", "'M'");

    [Fact]
    public void DL0008_unused_dense_is_a_warning_at_the_field()
    {
        var d = Single(Model("""
            readonly Dense used = new(4, 2);
            readonly Dense [|unused|] = new(4, 4);
            public Tensor Forward([Input(4)] Tensor x) => used.Forward(x);
        """), "DL0008", "'unused'");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    [Fact]
    public void DL0008_can_be_silenced_with_a_pragma()
    {
        var run = Generate(Model("""
            readonly Dense used = new(4, 2);
        #pragma warning disable DL0008
            readonly Dense unused = new(4, 4);
        #pragma warning restore DL0008
            public Tensor Forward([Input(4)] Tensor x) => used.Forward(x);
        """));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "DL0008" && !d.IsSuppressed);
        Assert.Equal(Microsoft.CodeAnalysis.LocationKind.SourceFile, Assert.Single(Generate(Model("""
            readonly Dense unused = new(4, 4);
            public Tensor Forward([Input(4)] Tensor x) => x;
        """)).Diagnostics).Location.Kind);
    }

    [Fact]
    public void DL0008_unused_layer_is_reported_once_at_its_field() => Single("""
        using Dl;
        namespace Test;
        [Layer]
        public partial class Block(int n)
        {
            readonly Dense a = new(n, n);
            readonly Param s = new(n);
            public Tensor Forward(Tensor x) => a.Forward(x) * s;
        }
        [Model]
        public partial class M
        {
            readonly Block used = new(4);
            readonly Block [|spare|] = new(4);
            public Tensor Forward([Input(4)] Tensor x) => used.Forward(x);
        }
        """, "DL0008", "'spare'");

    [Fact]
    public void DL0008_param_used_only_by_dead_code() => Single(Model("""
            readonly Param [|w|] = new(4);
            public Tensor Forward([Input(4)] Tensor x)
            {
                var dead = x * w;
                return x.Relu();
            }
        """), "DL0008", "'w'");

    [Fact]
    public void DL0009_forward_parameter_without_input() => Single(Model("""
            public Tensor Forward([|Tensor x|]) => x;
        """), "DL0009", "'x'", "[Input(");

    [Fact]
    public void DL0010_loss_not_scalar() => Single(Model("""
            readonly Dense d = new(4, 10);
            public Tensor Forward([Input(4)] Tensor x) => d.Forward(x);
            public Tensor Loss(Tensor y, Tensor target) => [|(y - target) * (y - target)|];
        """), "DL0010", "[N,10]", "Mean()");

    [Fact]
    public void DL0011_loop_too_long_at_its_keyword() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                [|for|] (int i = 0; i < 100000; i++) x = x;
                return x;
            }
        """), "DL0011", "4096");

    [Fact]
    public void DL0012_non_constant_reshape_argument() => Single(Model("""
            int rows = 28;
            public Tensor Forward([Input(784)] Tensor x) => x.Reshape(-1, [|rows|], 28);
        """), "DL0012", "'rows'", "mutable field");

    [Fact]
    public void DL0012_non_constant_if_condition() => Single(Model("""
            static readonly bool Deep = true;
            public Tensor Forward([Input(4)] Tensor x)
            {
                if ([|Deep|]) x = x.Relu();
                return x;
            }
        """), "DL0012", "Deep");
    // ---- Convolution and pooling geometry (DL0013-DL0017): at the layer call or the Nn call. ----

    [Fact]
    public void DL0013_conv_channel_mismatch() => Single(Model("""
            readonly Conv2d conv = new(3, 8, 3);
            public Tensor Forward([Input(1, 28, 28)] Tensor image) => [|conv.Forward(image)|].Flatten();
        """), "DL0013", "Conv2d 'conv'", "expects 3 input channels", "[N,1,28,28]");

    [Fact]
    public void DL0014_kernel_larger_than_the_padded_input() => Single(Model("""
            readonly Conv2d conv = new(1, 4, 5);
            public Tensor Forward([Input(1, 4, 4)] Tensor image) => [|conv.Forward(image)|].Flatten();
        """), "DL0014", "kernel 5x5", "larger than the padded input");

    [Fact]
    public void DL0015_transposed_conv_with_an_empty_output() => Single(Model("""
            readonly ConvTranspose2d up = new(1, 1, 2, padding: 1);
            public Tensor Forward([Input(1, 1, 1)] Tensor image) => [|up.Forward(image)|].Flatten();
        """), "DL0015", "output would be 0x0");

    [Fact]
    public void DL0016_stride_of_zero() => Single(Model("""
            public Tensor Forward([Input(1, 8, 8)] Tensor image) => [|Nn.MaxPool2d(image, 2, 0)|].Flatten();
        """), "DL0016", "MaxPool2d", "stride must be at least 1, got 0");

    [Fact]
    public void DL0016_dilation_of_zero_in_a_layer() => Single(Model("""
            readonly Conv2d conv = new(1, 4, 3, dilation: 0);
            public Tensor Forward([Input(1, 8, 8)] Tensor image) => [|conv.Forward(image)|].Flatten();
        """), "DL0016", "dilation must be at least 1, got 0");

    [Fact]
    public void DL0017_pooling_window_larger_than_the_input() => Single(Model("""
            public Tensor Forward([Input(3, 2, 2)] Tensor image) => [|Nn.AvgPool2d(image, 3)|].Flatten();
        """), "DL0017", "AvgPool2d", "3x3 window", "input 2x2");
}
