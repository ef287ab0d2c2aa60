using System;
using System.Numerics.Tensors;

namespace Dl.Cpu;

/// <summary>Parameter updates called by generated training steps.</summary>
public static unsafe class Optim
{
    private struct Update
    {
        public float* Parameters, Gradients;
        public int Length, HelperFrom, HelperTo;
        public float LearningRate;
    }

    /// <summary>
    /// Plain stochastic gradient descent: parameters[i] -= learningRate · gradients[i], for the
    /// first parameters.Length values (vectorised multiply-adds,
    /// <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>).
    /// Where the helper thread wrote part of these gradients (<see cref="GemmSplit.HelperRange"/>),
    /// the helper updates that part and this thread the rest.
    /// </summary>
    public static void SgdStep(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (gradients.Length < parameters.Length)
            throw new ArgumentException($"{parameters.Length} parameters need {parameters.Length} gradients, got {gradients.Length}", nameof(gradients));
        fixed (float* p = parameters, g = gradients)
        {
            var update = new Update { Parameters = p, Gradients = g, Length = parameters.Length, LearningRate = learningRate };
            if (GemmSplit.HelperRange(g, parameters.Length, out update.HelperFrom, out update.HelperTo)
                && HelperThread.TryRun(&SgdParts, &update, 2)) return;
            Sgd(&update, 0, parameters.Length);
        }
    }

    /// <summary>Part 0 is everything outside [HelperFrom, HelperTo), part 1 that range.</summary>
    private static void SgdParts(void* context, int begin, int end, int part)
    {
        var u = (Update*)context;
        if (begin == 1) { Sgd(u, u->HelperFrom, u->HelperTo); return; }
        Sgd(u, 0, u->HelperFrom);
        Sgd(u, u->HelperTo, u->Length);
    }

    private static void Sgd(Update* u, int from, int to)
    {
        var parameters = new Span<float>(u->Parameters + from, to - from);
        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(u->Gradients + from, to - from), -u->LearningRate, parameters, parameters);
    }
}
