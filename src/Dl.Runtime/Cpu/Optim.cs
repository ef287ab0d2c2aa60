using System;
using System.Numerics.Tensors;

namespace Dl.Cpu;

/// <summary>Parameter updates called by generated training steps.</summary>
public static class Optim
{
    /// <summary>
    /// Plain stochastic gradient descent: parameters[i] -= learningRate · gradients[i], for the
    /// first parameters.Length values (one vectorised multiply-add,
    /// <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>).
    /// </summary>
    public static void SgdStep(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (gradients.Length < parameters.Length)
            throw new ArgumentException($"gradients: {parameters.Length} parameters need {parameters.Length} gradients, got {gradients.Length}", nameof(gradients));
        TensorPrimitives.MultiplyAdd(gradients.Slice(0, parameters.Length), -learningRate, parameters, parameters);
    }
}
