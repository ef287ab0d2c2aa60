using System;
using System.Collections.Generic;
using Dl;

namespace Dl.Training.Tests;

/// <summary>A stand-in for a generated model: a flat parameter array, a gradient array the test fills, and a layout.</summary>
internal sealed class FakeModel : ICompiledModel
{
    private readonly float[] _parameters;

    public FakeModel(params (string Name, int[] Shape)[] layout)
    {
        var infos = new List<ParameterInfo>();
        int offset = 0;
        foreach (var (name, shape) in layout)
        {
            var info = new ParameterInfo(name, offset, shape, Init.Glorot);
            infos.Add(info);
            offset += info.Length;
        }
        ParameterLayout = infos;
        _parameters = new float[offset];
        GradientArray = new float[offset];
    }

    /// <summary>A two-layer perceptron's parameters: hidden [in, hidden] + bias, output [hidden, out] + bias.</summary>
    public static FakeModel Mlp(int inputs = 4, int hidden = 3, int outputs = 2, int seed = 1)
    {
        var model = new FakeModel(("hidden.weight", new[] { inputs, hidden }), ("hidden.bias", new[] { hidden }),
            ("output.weight", new[] { hidden, outputs }), ("output.bias", new[] { outputs }));
        model.InitializeParameters(seed);
        return model;
    }

    public Span<float> Parameters => _parameters;
    public float[] ParameterArray => _parameters;
    public ReadOnlySpan<float> Gradients => GradientArray;
    /// <summary>Writable gradients, standing in for a backward pass.</summary>
    public float[] GradientArray { get; }
    public IReadOnlyList<ParameterInfo> ParameterLayout { get; }
    public float LearningRate { get; set; } = 0.01f;

    public void InitializeParameters(int seed)
    {
        var random = new SeededRandom(seed);
        for (int i = 0; i < _parameters.Length; i++) _parameters[i] = (float)(random.NextDouble() * 2 - 1);
    }
}
