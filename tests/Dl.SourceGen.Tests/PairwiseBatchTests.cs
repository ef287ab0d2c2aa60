using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Values over every pair of samples: <c>z.MatMul(z.Transpose())</c> is [N,N] (similarities in a
/// contrastive loss). They get an arena region planned per N², and compile and run like any other.
/// </summary>
public class PairwiseBatchTests
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
    [InlineData(17)]
    public void Contrastive_loss_over_the_similarity_matrix(int batch) =>
        // Each sample's label is the index of its positive in the batch: cross-entropy over [N,N] logits.
        AgreesWithReference(Run(Model("""
                readonly Dense embed = new(6, 4, Activation.Tanh);
                public Tensor Forward([Input(6)] Tensor x) => embed.Forward(x);
                public Tensor Loss(Tensor z, Labels positive) => Nn.CrossEntropy(z.MatMul(z.Transpose()) * 2f, positive);
            """), "M", batch, labelClasses: batch));

    [Theory]
    [InlineData(2)]
    [InlineData(19)]
    public void Pairwise_elementwise_terms_and_means(int batch) =>
        AgreesWithReference(Run(Model("""
                readonly Dense embed = new(3, 5);
                public Tensor Forward([Input(3)] Tensor x) => embed.Forward(x);
                public Tensor Loss(Tensor z)
                {
                    var similarity = z.MatMul(z.Transpose());
                    return (similarity * similarity).Mean() + (similarity - 0.5f).Relu().Sum(1).Mean() + z.Mean();
                }
            """), "M", batch));

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    public void Similarity_matrix_as_the_output(int batch)
    {
        var o = Run(Model("""
                public Tensor Forward([Input(4, Gradient = true)] Tensor x) => x.MatMul(x.Transpose()).Sigmoid();
                public Tensor Loss(Tensor s) => s.Mean();
            """), "M", batch);
        Assert.Equal(batch * batch, o.Output.Length);
        AgreesWithReference(o);
    }

    [Fact]
    public void Gpu_class_of_a_pairwise_model_compiles_and_says_why_it_cannot_run() =>
        Assert.Contains("NotSupportedReason = \"values over every pair of samples ([N,N]) have no device arena yet\"", GeneratedNameTests.GpuSource(Model("""
                readonly Dense embed = new(6, 4);
                public Tensor Forward([Input(6)] Tensor x) => embed.Forward(x);
                public Tensor Loss(Tensor z, Labels positive) => Nn.CrossEntropy(z.MatMul(z.Transpose()), positive);
            """)));
}
