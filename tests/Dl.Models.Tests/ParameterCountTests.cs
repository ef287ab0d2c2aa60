using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary><c>ParameterCount</c> counts parameters; <c>ParameterStorageLength</c> is the padded array they live in.</summary>
public class ParameterCountTests
{
    [Fact]
    public void A_32_to_8_dense_layer_has_264_parameters_in_a_longer_padded_array()
    {
        var model = new Dense32To8();
        Assert.Equal(32 * 8 + 8, Dense32To8.ParameterCount);
        // The array is padded to whole 64-byte lines (16 floats), the count is not.
        Assert.Equal(272, Dense32To8.ParameterStorageLength);
        Assert.Equal(Dense32To8.ParameterStorageLength, model.Parameters.Length);
        Assert.Equal(Dense32To8.ParameterCount, model.ParameterLayout.Sum(p => p.Length));
    }

    [Fact]
    public void A_convolutional_model_counts_the_sum_of_its_tensors_element_counts()
    {
        var model = new LeNet.LeNet5();
        int sum = model.ParameterLayout.Sum(p => p.Shape.Aggregate(1, (n, d) => n * d));
        Assert.Equal(LeNet.LeNet5.ParameterCount, sum);
        // LeNet-5 as the TorchSharp peer counts it: 156 + 2416 + 48120 + 10164 + 850.
        Assert.Equal(61706, LeNet.LeNet5.ParameterCount);
        Assert.True(LeNet.LeNet5.ParameterStorageLength > LeNet.LeNet5.ParameterCount, "conv1's 150 weights are not a multiple of 16 floats: padding follows");
        Assert.Equal(LeNet.LeNet5.ParameterStorageLength, model.Parameters.Length);
    }
}
