using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Dl.Onnx.Tests;

/// <summary>Runs an exported file in ONNX Runtime (all graph optimisations on, as a deployment would) and measures it against Predict.</summary>
internal static class OrtCheck
{
    /// <summary>Seeded inputs in [-1, 1): signs on both sides of every activation's kink.</summary>
    public static float[] Inputs(int count, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>The output of the exported model <paramref name="onnx"/> for one float input of shape <paramref name="dims"/>, and its shape.</summary>
    public static (float[] Values, int[] Dims) Run(byte[] onnx, float[] input, int[] dims)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        string name = session.InputMetadata.Keys.Single();
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, dims)) });
        var output = results.Single().AsTensor<float>();
        return (output.ToArray(), output.Dimensions.ToArray());
    }

    /// <summary>The output of the exported model <paramref name="onnx"/> for named inputs (float or int tensors), flattened.</summary>
    public static float[] Run(byte[] onnx, params NamedOnnxValue[] inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        Assert.Equal(inputs.Select(i => i.Name), session.InputMetadata.Keys);
        using var results = session.Run(inputs);
        return results.Single().AsTensor<float>().ToArray();
    }

    /// <summary>The export's bytes.</summary>
    public static byte[] Export(Action<Stream> export)
    {
        using var s = new MemoryStream();
        export(s);
        return s.ToArray();
    }

    /// <summary>Exports with <paramref name="export"/>, runs ONNX Runtime on <paramref name="input"/> and returns the largest difference from <paramref name="expected"/>.</summary>
    public static double MaxAbsDiff(Action<Stream> export, float[] input, int[] dims, ReadOnlySpan<float> expected, int[] expectedDims)
    {
        using var file = new MemoryStream();
        export(file);
        var (values, outDims) = Run(file.ToArray(), input, dims);
        Assert.Equal(expectedDims, outDims);
        Assert.Equal(expected.Length, values.Length);
        double max = 0;
        for (int i = 0; i < values.Length; i++)
        {
            Assert.False(float.IsNaN(expected[i]), $"Predict gave NaN at {i}");
            max = Math.Max(max, Math.Abs(values[i] - expected[i]));
        }
        return max;
    }
}
