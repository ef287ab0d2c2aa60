using System;
using System.Numerics.Tensors;

namespace Dl.Cpu;

/// <summary>Parameter updates called by generated training steps.</summary>
public static unsafe class Optim
{
    /// <summary>Values below which the update of the helper's range stays on the calling thread (a hand-off costs more).</summary>
    private const long SplitValues = 16_384;

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
    /// Where the helper thread wrote part of these gradients (<see cref="GemmSplit"/> cut a weight
    /// gradient's rows), the helper updates that part and this thread the rest: each core then
    /// updates the weights whose gradient, and whose share of the next forward product, it owns, and
    /// no weight moves between cores. Done here instead, that half's lines would cross twice a step.
    /// </summary>
    public static void SgdStep(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (gradients.Length < parameters.Length)
            throw new ArgumentException($"{parameters.Length} parameters need {parameters.Length} gradients, got {gradients.Length}", nameof(gradients));
        fixed (float* p = parameters, g = gradients)
        {
            var update = new Update { Parameters = p, Gradients = g, Length = parameters.Length, LearningRate = learningRate };
            var (start, end) = GemmSplit.LastHelperOutput;
            if (start >= (nuint)g && end <= (nuint)(g + parameters.Length) && (long)(end - start) / sizeof(float) >= SplitValues)
            {
                update.HelperFrom = (int)((start - (nuint)g) / sizeof(float));
                update.HelperTo = (int)((end - (nuint)g) / sizeof(float));
                HelperThread.Run(&SgdParts, &update, 2, parallel: true);
            }
            else Sgd(&update, 0, parameters.Length);
        }
    }

    /// <summary>Part 0 is everything outside [HelperFrom, HelperTo), part 1 that range.</summary>
    private static void SgdParts(void* context, int begin, int end, int part)
    {
        var u = (Update*)context;
        if (begin == 0 && end == 2) { Sgd(u, 0, u->Length); return; }
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
