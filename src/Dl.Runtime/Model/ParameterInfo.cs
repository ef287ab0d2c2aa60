using System;
using System.Linq;

namespace Dl;

/// <summary>One parameter of a compiled model: its path name, where it starts in the parameter array, its shape and initialiser.</summary>
public sealed class ParameterInfo
{
    /// <summary>Describes one parameter; generated models build their <see cref="ICompiledModel.ParameterLayout"/> from these.</summary>
    /// <param name="name">The path name, e.g. "hidden.weight".</param>
    /// <param name="offset">Index of its first value in the model's parameter array.</param>
    /// <param name="shape">Its sizes; <see cref="Length"/> is their product.</param>
    /// <param name="init">How its initial values are drawn.</param>
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

    /// <summary>Index of the parameter's first value in <see cref="ICompiledModel.Parameters"/> (and in the gradients).</summary>
    public int Offset { get; }

    /// <summary>The parameter's sizes, e.g. [784, 128] for a dense weight.</summary>
    public int[] Shape { get; }

    /// <summary>Number of values: the product of <see cref="Shape"/>.</summary>
    public int Length { get; }

    /// <summary>How the initial values are drawn from the model's seed.</summary>
    public Init Init { get; }

    /// <summary>
    /// Inputs feeding each output unit: the first dim of a dense weight [in, out]; the second dim times
    /// the kernel area of a convolution weight [out, in/groups, kh, kw]; the length of a vector.
    /// </summary>
    public int FanIn => Shape.Length == 4 ? Shape[1] * ReceptiveField : Shape.Length >= 2 ? Shape[0] * ReceptiveField : Length;
    /// <summary>Output units each input feeds: the second dim of a dense weight; the first dim times the kernel area of a convolution weight; the length of a vector.</summary>
    public int FanOut => Shape.Length == 4 ? Shape[0] * ReceptiveField : Shape.Length >= 2 ? Shape[1] * ReceptiveField : Length;
    private int ReceptiveField => Shape.Skip(2).Aggregate(1, (p, d) => p * d);

    /// <summary>"name [shape] @offset", for messages.</summary>
    public override string ToString() => $"{Name} [{string.Join(",", Shape)}] @{Offset}";
}

/// <summary>What every generated model offers, whatever its inputs.</summary>
public interface ICompiledModel
{
    /// <summary>All parameters in one array, laid out as <see cref="ParameterLayout"/>.</summary>
    Span<float> Parameters { get; }
    /// <summary>The gradients of the last backward pass, laid out like the parameters.</summary>
    ReadOnlySpan<float> Gradients { get; }

    /// <summary>Every parameter's name, offset and shape, in the order they lie in <see cref="Parameters"/>.</summary>
    System.Collections.Generic.IReadOnlyList<ParameterInfo> ParameterLayout { get; }

    /// <summary>The step size of the generated SGD update in <c>TrainStep</c>; toolkit optimizers use their own rate.</summary>
    float LearningRate { get; set; }

    /// <summary>Redraws every parameter from <paramref name="seed"/> as its <see cref="Init"/> says (what the constructor does).</summary>
    /// <param name="seed">The same seed gives the same parameters on every machine.</param>
    void InitializeParameters(int seed);
}

/// <summary>A generated model with one float input batch and integer class labels.</summary>
public interface IClassifier : ICompiledModel
{
    /// <summary>The forward pass (inference mode) of a batch.</summary>
    /// <param name="x">N rows of the input's per-sample size.</param>
    /// <returns>The outputs, [N, ...]: a view of the model's arena, valid until the next call on this model.</returns>
    /// <exception cref="ArgumentException">The input is not a whole positive number of rows; the message names the shape.</exception>
    ReadOnlySpan<float> Predict(ReadOnlySpan<float> x);

    /// <summary>The loss of a batch (training mode, no update).</summary>
    /// <param name="x">N rows of input.</param>
    /// <param name="labels">N class labels.</param>
    /// <returns>The mean loss over the batch.</returns>
    float Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<int> labels);

    /// <summary>Forward and backward: fills <see cref="ICompiledModel.Gradients"/>, changes no parameter.</summary>
    /// <param name="x">N rows of input.</param>
    /// <param name="labels">N class labels.</param>
    /// <returns>The mean loss over the batch.</returns>
    float ComputeGradients(ReadOnlySpan<float> x, ReadOnlySpan<int> labels);

    /// <summary><see cref="ComputeGradients"/>, then one SGD update at <see cref="ICompiledModel.LearningRate"/>.</summary>
    /// <param name="x">N rows of input.</param>
    /// <param name="labels">N class labels.</param>
    /// <returns>The mean loss over the batch before the update.</returns>
    float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<int> labels);
}
