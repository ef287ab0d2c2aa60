using System.Linq;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Valid models whose graphs simplify to something unusual: results that fold to constants (zero
/// gradients, an output times zero), gradients that are the same node for two inputs, a loss read
/// twice through one input. Each compiles, runs and agrees with the reference evaluator.
/// </summary>
public class BackendRobustnessTests
{
    private static string Model(string members) => $$"""
        using Dl;
        namespace Test;
        [Model]
        public partial class M
        {
        {{members}}
        }
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Loss_that_does_not_depend_on_the_parameters_has_zero_gradients(int batch)
    {
        var o = Run(Model("""
                readonly Dense d = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x) => d.Forward(x);
                public Tensor Loss(Tensor y, [Input(3)] Tensor t) => (t * t).Mean();
            """), "M", batch);
        AgreesWithReference(o);
        Assert.All(o.Gradients, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Loss_reading_one_input_twice_compiles() =>
        AgreesWithReference(Run(Model("""
                readonly Dense d = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x) => d.Forward(x);
                public Tensor Loss(Tensor y, [Input(3)] Tensor t) => Nn.Mse(t, t) + Nn.Mse(y, y) + Nn.BinaryCrossEntropy(y, y);
            """), "M", 3));

    [Fact]
    public void Output_multiplied_by_zero() =>
        AgreesWithReference(Run(Model("""
                readonly Dense d = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x) => d.Forward(x) * 0f;
                public Tensor Loss(Tensor y, Labels l) => Nn.CrossEntropy(y, l);
            """), "M", 4));

    [Fact]
    public void Loss_scaled_by_zero()
    {
        var o = Run(Model("""
                readonly Dense d = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x) => d.Forward(x);
                public Tensor Loss(Tensor y, Labels l) => 0f * Nn.CrossEntropy(y, l);
            """), "M", 4);
        AgreesWithReference(o);
        Assert.Equal(0f, o.Loss);
    }

    [Fact]
    public void Inference_only_model_with_a_constant_output()
    {
        var o = Run(Model("""
                public Tensor Forward([Input(4)] Tensor x) => x * 0f + 1f;
            """), "M", 3);
        AgreesWithReference(o);
        Assert.Equal(12, o.Output.Length);
        Assert.All(o.Output, v => Assert.Equal(1f, v));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Two_inputs_whose_gradients_are_the_same_node(int batch) =>
        AgreesWithReference(Run(Model("""
                public Tensor Forward([Input(4, Gradient = true)] Tensor x, [Input(4, Gradient = true)] Tensor y, [Input(4, Gradient = true)] Tensor z) => z * (x + y);
                public Tensor Loss(Tensor f) => f.Sum();
            """), "M", batch));

    [Fact]
    public void Input_gradient_that_is_a_constant()
    {
        var o = Run(Model("""
                public Tensor Forward([Input(4, Gradient = true)] Tensor x) => x * 3f;
                public Tensor Loss(Tensor f) => f.Sum();
            """), "M", 2);
        AgreesWithReference(o);
        Assert.All(o.InputGradients[0], v => Assert.Equal(3f, v));
    }

    [Fact]
    public void Input_gradient_that_does_not_reach_the_loss_is_zero()
    {
        var o = Run(Model("""
                readonly Dense d = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x, [Input(2, Gradient = true)] Tensor unused) => d.Forward(x);
                public Tensor Loss(Tensor y, Labels l) => Nn.CrossEntropy(y, l);
            """), "M", 3);
        AgreesWithReference(o);
        Assert.All(o.InputGradients[0], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Input_gradient_that_is_another_input() =>
        AgreesWithReference(Run(Model("""
                public Tensor Forward([Input(4, Gradient = true)] Tensor x, [Input(4)] Tensor w) => x * w;
                public Tensor Loss(Tensor f) => f.Sum();
            """), "M", 3));

    [Fact]
    public void Parameter_gradients_that_are_other_parameters_or_one_shared_constant() =>
        // d/da = b and d/db = a (parameters); d/de and d/df are both the constant ones [4], one node.
        AgreesWithReference(Run(Model("""
                readonly Param a = new(4);
                readonly Param b = new(4);
                readonly Param c = new(4);
                readonly Param e = new(4);
                readonly Param f = new(4);
                public Tensor Forward([Input(4)] Tensor x) => x * c;
                public Tensor Loss(Tensor y) => y.Sum() + (a * b).Sum() + e.Sum() + f.Sum();
            """), "M", 2));

    [Fact]
    public void Batch_norm_output_times_zero_still_updates_the_running_averages() =>
        AgreesWithReference(Run(Model("""
                readonly BatchNorm1d bn = new(4);
                public Tensor Forward([Input(4)] Tensor x) => bn.Forward(x) * 0f;
                public Tensor Loss(Tensor y) => y.Sum();
            """), "M", 5));

    [Fact]
    public void Convolution_of_a_constant() =>
        AgreesWithReference(Run(Model("""
                readonly Conv2d c = new(1, 2, 3);
                public Tensor Forward([Input(1, 5, 5)] Tensor x) => c.Forward(x * 0f);
                public Tensor Loss(Tensor y) => y.Mean();
            """), "M", 3));

    [Fact]
    public void Constant_loss_of_a_batch_norm_model_with_an_input_gradient() =>
        AgreesWithReference(Run(Model("""
                readonly Conv2d c = new(1, 2, 3);
                readonly BatchNorm2d bn = new(2);
                public Tensor Forward([Input(1, 5, 5, Gradient = true)] Tensor x) => bn.Forward(c.Forward(x));
                public Tensor Loss(Tensor y) => y.Mean() * 0f;
            """), "M", 3));
}
