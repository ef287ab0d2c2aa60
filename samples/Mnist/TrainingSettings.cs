using System;
using System.Linq;
using Dl.Training;

namespace Mnist;

/// <summary>
/// Everything that decides the training trajectory. A checkpoint records all of it, and a resumed run must
/// use the same values: the cosine schedule spans <see cref="Epochs"/>, and seed, batch and validation
/// fraction fix the data order.
/// </summary>
internal sealed record TrainingSettings(string Optimizer, float LearningRate, int Epochs, int Batch, int Seed, double Validation)
{
    /// <summary>
    /// 10 % of the training digits are held out for validation: with the other defaults (SGD at 0.2, seed 1,
    /// 5 epochs) the 7,200 left still reach 95.8 % test accuracy, above the 95 % target (all 8,000: 96.0 %).
    /// </summary>
    public const double DefaultValidation = 0.1;

    public const int DefaultEpochs = 5, DefaultBatch = 32, DefaultSeed = 1;

    /// <summary>
    /// Throws unless a batch fits the <paramref name="trainingDigits"/> left after the validation split (which also
    /// keeps <c>Batch * 784</c> inside an array). <paramref name="checkpoint"/> names the file the settings came from,
    /// null for the command line.
    /// </summary>
    public void CheckBatchFits(int trainingDigits, string? checkpoint)
    {
        if (Batch <= trainingDigits) return;
        throw checkpoint is null
            ? new MnistException($"--batch {Batch} is more than the {trainingDigits} training digits; give at most {trainingDigits}", 2)
            : new MnistException($"{checkpoint}: its mnist.batch {Batch} is more than the {trainingDigits} training digits; the file was edited or belongs to other data");
    }
}

/// <summary>The update rules the sample offers, by their command-line names.</summary>
internal static class OptimizerChoice
{
    public static readonly string[] Names = { "sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw" };

    /// <summary>AdamW's decoupled weight decay: the usual 0.01 (without decay AdamW is Adam).</summary>
    public const float AdamWWeightDecay = 0.01f;

    /// <summary>
    /// Peak learning rates (the cosine schedule decays from them). SGD's is the one this sample always used.
    /// Momentum takes a tenth of it because with mu = 0.9 its velocity sums about 10 gradients. The adaptive
    /// rules scale each step by the gradients' history, so they take their usual small rates. With seed 1 and 5 epochs
    /// every rule lands between 94.6 % (AdaGrad) and 96.2 % (momentum) test accuracy.
    /// </summary>
    public static float DefaultLearningRate(string name) => name switch
    {
        "sgd" => 0.2f,
        "momentum" or "nesterov" => 0.02f,
        "rmsprop" => 1e-3f,
        "adagrad" => 0.02f,
        "adam" or "adamw" => 1e-3f,
        _ => throw Unknown(name),
    };

    public static Optimizer Create(string name, float learningRate) => name switch
    {
        "sgd" => new Sgd(learningRate),
        "momentum" => new Momentum(learningRate),
        "nesterov" => new Momentum(learningRate, nesterov: true),
        "rmsprop" => new RmsProp(learningRate),
        "adagrad" => new AdaGrad(learningRate),
        "adam" => new Adam(learningRate),
        "adamw" => new AdamW(learningRate) { WeightDecay = AdamWWeightDecay },
        _ => throw Unknown(name),
    };

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    private static MnistException Unknown(string name) =>
        new($"--optimizer must be one of {string.Join(", ", Names)}; got '{name}'", 2);
}
