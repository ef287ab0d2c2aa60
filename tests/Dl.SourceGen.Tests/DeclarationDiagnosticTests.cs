using System.Linq;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// DL0022-DL0027: sizes past int, constant arithmetic that overflows, missing shapes, models that are
/// not classes, Forward/Loss that do not return a Tensor, user members the generated code also declares.
/// Each used to crash the generator (DL9999), emit code that does not compile, or emit nothing silently.
/// </summary>
public class DeclarationDiagnosticTests
{
    [Fact]
    public void DL0022_a_dense_layer_of_ten_billion_weights() => Single(Model("""
            readonly Dense huge = [|new(100000, 100000)|];
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        """), "DL0022", "Dense 'huge'", "100000 x 100000 = 10,000,000,000", "2,147,483,647");

    [Fact]
    public void DL0022_a_param_whose_dimensions_overflow_int() => Single(Model("""
            readonly Param big = [|new(65536, 65536, 2)|];
            public Tensor Forward([Input(4)] Tensor x) => x + big.Sum();
        """), "DL0022", "Param 'big'", "65536 x 65536 x 2");

    [Fact]
    public void DL0022_an_input_whose_dimensions_overflow_int() => Single(Model("""
            public Tensor Forward([[|Input(65536, 65536)|]] Tensor x) => x.Relu();
        """), "DL0022", "input 'x'", "4,294,967,296");

    [Fact]
    public void DL0022_a_convolution_too_large_for_int() => Single(Model("""
            readonly Conv2d conv = [|new(4096, 4096, 1024)|];
            public Tensor Forward([Input(1, 4, 4)] Tensor x) => x.Flatten();
        """), "DL0022", "Conv2d 'conv'");

    [Fact]
    public void DL0022_a_reshape_target_too_large_for_int() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => [|x.Reshape(-1, 65536, 65536)|];
        """), "DL0022", "Reshape", "65536 x 65536");

    [Fact]
    public void DL0023_long_division_that_overflows() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                long m = long.MinValue;
                long q = [|m / -1|];
                return x;
            }
        """), "DL0023", "'m / -1' overflows long");

    [Fact]
    public void DL0023_int_multiplication_that_overflows_a_size() => Single("""
        using Dl;
        namespace Test;
        [Layer]
        public partial class Wide(int n)
        {
            readonly Param p = new([|n * n|]);
            public Tensor Forward(Tensor x) => x + p.Sum();
        }
        [Model]
        public partial class M
        {
            readonly Wide wide = new(65536);
            public Tensor Forward([Input(4)] Tensor x) => wide.Forward(x);
        }
        """, "DL0023", "overflows int", "4294967296");

    [Fact]
    public void DL0023_division_by_zero_in_a_constant() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                int zero = 0;
                int q = [|4 / zero|];
                return x;
            }
        """), "DL0023", "divides by zero");

    [Fact]
    public void DL0023_a_double_too_large_for_int() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                double d = 1e30;
                int c = [|(int)d|];
                return x;
            }
        """), "DL0023", "cannot hold it");

    [Fact]
    public void Shift_counts_are_masked_as_in_CSharp()
    {
        // 1 << 33 is 2 in C# (the count is taken mod 32); a size of 2 fits the input's 2 values.
        var run = Generate(Model("""
            public Tensor Forward([Input(2)] Tensor x)
            {
                int count = 33;
                return x.Reshape(-1, 1 << count).Relu();
            }
        """));
        Assert.Empty(run.Diagnostics);
        Assert.Contains(run.Spec("M").Ops, o => o.Op == "Reshape" && o.Ints.SequenceEqual(new[] { -1, 2 }));
    }

    [Fact]
    public void DL0024_an_input_with_a_null_shape() => Single(Model("""
            public Tensor Forward([[|Input(null)|]] Tensor x) => x.Relu();
        """), "DL0024", "Input 'x' has no shape");

    [Fact]
    public void DL0024_a_param_with_a_null_shape() => Single(Model("""
            readonly Param scale = [|new(Init.He, null!)|];
            public Tensor Forward([Input(4)] Tensor x) => x * scale;
        """), "DL0024", "Param 'scale' has no shape (null)");

    [Fact]
    public void A_forward_parameter_with_the_reserved_prefix_works()
    {
        // Members cannot be renamed around, so they are DL0027; inputs can, and the emitter does (GeneratedNames).
        var run = Generate(Model("""
            public Tensor Forward([Input(4)] Tensor __n) => __n.Relu();
        """));
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void DL0025_a_record_model() => Single("""
        using Dl;
        namespace Test;
        [Model]
        public partial record [|M|]
        {
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        }
        """, "DL0025", "'M' is a record", "partial class");

    [Fact]
    public void DL0026_a_void_forward() => Single(Model("""
            public [|void|] Forward([Input(4)] Tensor x) { var y = x.Relu(); }
        """), "DL0026", "Forward returns 'void'");

    [Fact]
    public void DL0026_a_loss_returning_a_number() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
            public [|float|] Loss(Tensor y, Tensor target) => 0f;
        """), "DL0026", "Loss returns 'float'", "scalar Tensor");

    [Theory]
    [InlineData("public int [|Parameters|] => 0;", "Parameters")]
    [InlineData("public void [|Predict|]() { }", "Predict")]
    [InlineData("public float [|LearningRate|];", "LearningRate")]
    [InlineData("public int [|TrainStep|](int k) => k;", "TrainStep")]
    [InlineData("public void [|InitializeParameters|](int seed) { }", "InitializeParameters")]
    [InlineData("public const string [|GraphText|] = \"\";", "GraphText")]
    [InlineData("public int [|State|];", "State")]
    [InlineData("public class [|Gpu|] { }", "Gpu")]
    [InlineData("int [|__arena|];", "'__'")]
    public void DL0027_a_member_named_like_a_generated_one(string member, string fact) => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        """ + "\n    " + member), "DL0027", fact, "rename yours");

    [Fact]
    public void DL0027_a_seed_constructor() => Single(Model("""
            public [|M|](int width) { }
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        """), "DL0027", "'M(int)'", "M(int seed = 0)");

    [Fact]
    public void Other_constructors_are_allowed()
    {
        var run = Generate(Model("""
            public M(string name) : this(0) { Name = name; }
            public string Name { get; } = "";
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        """));
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void DL0027_a_primary_constructor() => Single("""
        using Dl;
        namespace Test;
        [Model]
        public partial class M[|(int width)|]
        {
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        }
        """, "DL0027", "primary constructor");

    [Fact]
    public void DL0028_a_base_class_without_a_parameterless_constructor() => Single("""
        using Dl;
        namespace Test;
        public class Base { protected Base(int width) { } }
        [Model]
        public partial class M : [|Base|]
        {
            public M(string name) : base(name.Length) { }
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        }
        """, "DL0028", "'Test.Base'", "base()");

    [Fact]
    public void A_base_class_whose_constructor_has_defaults_is_fine()
    {
        var run = Generate("""
            using Dl;
            namespace Test;
            public abstract class Base { protected Base(int width = 3) { } }
            [Model]
            public partial class M : Base
            {
                public Tensor Forward([Input(4)] Tensor x) => x.Relu();
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void DL0025_a_file_local_model() => Single("""
        using Dl;
        namespace Test;
        [Model]
        file partial class [|M|]
        {
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        }
        """, "DL0025", "file-local");

    [Fact]
    public void DL0027_a_model_named_like_a_generated_member() => Single("""
        using Dl;
        namespace Test;
        [Model]
        public partial class [|Predict|]
        {
            public Tensor Forward([Input(4)] Tensor x) => x.Relu();
        }
        """, "DL0027", "cannot be named 'Predict'");
}
