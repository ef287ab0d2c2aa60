using System;
using System.Numerics.Tensors;

namespace Dl.Cpu;

/// <summary>Parameter updates called by generated training steps.</summary>
public static unsafe class Optim
{
    private struct Update
    {
        public float* Parameters, Gradients;
        public float LearningRate;
    }

    /// <summary>
    /// Plain stochastic gradient descent: parameters[i] -= learningRate · gradients[i], for the
    /// first parameters.Length values (vectorised multiply-adds,
    /// <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>).
    /// Where a product cut by rows wrote these gradients in parts, each part's thread updates that part and this
    /// thread the rest (<see cref="GemmSplit.UpdateByOwners"/>).
    /// </summary>
    public static void SgdStep(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (gradients.Length < parameters.Length)
            throw new ArgumentException($"{parameters.Length} parameters need {parameters.Length} gradients, got {gradients.Length}", nameof(gradients));
        fixed (float* p = parameters, g = gradients)
        {
            var update = new Update { Parameters = p, Gradients = g, LearningRate = learningRate };
            if (!GemmSplit.UpdateByOwners(g, parameters.Length, &Sgd, &update)) Sgd(&update, 0, parameters.Length);
        }
    }

    /// <summary>
    /// <see cref="SgdStep(Span{float}, ReadOnlySpan{float}, float)"/> for a generated <c>TrainStep</c>: parameters of
    /// <paramref name="model"/> frozen with <see cref="Freezing.Freeze"/> are left as they are.
    /// </summary>
    public static void SgdStep(ICompiledModel model, Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (Freezing.Trainable(model) is not { } trainable)
        {
            SgdStep(parameters, gradients, learningRate);
            return;
        }
        if (gradients.Length < parameters.Length)
            throw new ArgumentException($"{parameters.Length} parameters need {parameters.Length} gradients, got {gradients.Length}", nameof(gradients));
        foreach (var (offset, length) in trainable)
        {
            var part = parameters.Slice(offset, length);
            TensorPrimitives.MultiplyAdd(gradients.Slice(offset, length), -learningRate, part, part);
        }
    }

    private static void Sgd(void* context, int from, int to)
    {
        var u = (Update*)context;
        var parameters = new Span<float>(u->Parameters + from, to - from);
        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(u->Gradients + from, to - from), -u->LearningRate, parameters, parameters);
    }
}
