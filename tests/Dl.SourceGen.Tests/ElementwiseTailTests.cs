using System;

namespace Dl.SourceGen.Tests;

/// <summary>
/// A fused elementwise loop computes whole vectors first, then the leftover elements one by one (the scalar
/// tail). The operator struct's float and vector overloads must agree bit for bit, or one tensor's elements
/// would differ by column. Here columns 16 to 30 repeat columns 0 to 14; of 31 columns the last 15, 7 or 3
/// are the tail at 16, 8 or 4 lanes and the first 16 always a vector body, so the output must repeat exactly.
/// </summary>
public class ElementwiseTailTests
{
    private static string Model(string op) => $$"""
        using Dl;
        namespace Test;
        [Model]
        public partial class M
        {
            public Tensor Forward([Input(16)] Tensor x)
            {
                var c = Nn.Concat(1, x, x.Slice(1, 0, 15));
                return {{op}};
            }
        }
        """;

    [Theory]
    [InlineData("(c * c * 3f + 0.25f).Pow(2.5f)")]
    [InlineData("Nn.Pow(c * 4f, 3f)")]
    [InlineData("Nn.Pow(c * c + 0.5f, -0.75f)")]
    [InlineData("(c * 3f).Clamp(-0.5f, 1f)")]
    [InlineData("(c * 3f).Gelu()")]
    [InlineData("Nn.Where(Nn.Greater(c, c * c), c, c * 2f)")]
    public void The_tail_gives_the_same_bits_as_the_vector_body(string op)
    {
        var y = CompiledModelHarness.Predict(Model(op), "M", 1);
        Assert.Equal(31, y.Length);
        for (int i = 0; i < 15; i++)
        {
            Assert.False(float.IsNaN(y[i]), $"{op}: column {i} is NaN");
            Assert.True(BitConverter.SingleToInt32Bits(y[i]) == BitConverter.SingleToInt32Bits(y[16 + i]),
                $"{op}: column {i} (vector body) is {y[i]:R}, column {16 + i} (scalar tail) is {y[16 + i]:R}");
        }
    }
}
