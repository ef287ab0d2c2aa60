using System;
using System.Linq;

namespace Dl;

/// <summary>One parameter of a compiled model: its path name, where it starts in the parameter array, its shape and initialiser.</summary>
public sealed class ParameterInfo
{
    public ParameterInfo(string name, int offset, int[] shape, Init init)
    {
        Name = name;
        Offset = offset;
        Shape = shape;
        Init = init;
        Length = shape.Aggregate(1, (p, d) => p * d);
    }

    /// <summary>The parameter's path in the model, e.g. "hidden.weight".</summary>
    public string Name { get; }
    public int Offset { get; }
    public int[] Shape { get; }
    public int Length { get; }
    public Init Init { get; }

    /// <summary>
    /// Inputs feeding each output unit: the first dim of a dense weight [in, out]; the second dim times
    /// the kernel area of a convolution weight [out, in/groups, kh, kw]; the length of a vector.
    /// </summary>
    public int FanIn => Shape.Length == 4 ? Shape[1] * ReceptiveField : Shape.Length >= 2 ? Shape[0] * ReceptiveField : Length;
    public int FanOut => Shape.Length == 4 ? Shape[0] * ReceptiveField : Shape.Length >= 2 ? Shape[1] * ReceptiveField : Length;
    private int ReceptiveField => Shape.Skip(2).Aggregate(1, (p, d) => p * d);

    public override string ToString() => $"{Name} [{string.Join(",", Shape)}] @{Offset}";
}

/// <summary>What every generated model offers, whatever its inputs.</summary>
public interface ICompiledModel
{
    /// <summary>All parameters in one array, laid out as <see cref="ParameterLayout"/>.</summary>
    Span<float> Parameters { get; }
    /// <summary>The gradients of the last backward pass, laid out like the parameters.</summary>
    ReadOnlySpan<float> Gradients { get; }
    System.Collections.Generic.IReadOnlyList<ParameterInfo> ParameterLayout { get; }
    float LearningRate { get; set; }
    void InitializeParameters(int seed);
}

/// <summary>A generated model with one float input batch and integer class labels.</summary>
public interface IClassifier : ICompiledModel
{
    ReadOnlySpan<float> Predict(ReadOnlySpan<float> x);
    float Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<int> labels);
    float ComputeGradients(ReadOnlySpan<float> x, ReadOnlySpan<int> labels);
    float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<int> labels);
}
