using System;
using System.Collections.Generic;

namespace Dl.Compiler;

/// <summary>
/// The names the emitters add to a model class, in one place: the front end reports a user member
/// with one of them (DL0027) before the generated code could fail to compile, and the emitters keep
/// every other member they add behind <see cref="ReservedPrefix"/>. Renaming or adding a public
/// generated member means changing this list.
/// </summary>
public static class GeneratedMembers
{
    /// <summary>
    /// Prefix of every private member, local and kernel the generated code declares inside the model
    /// class. C# reserves identifiers with two consecutive underscores for the implementation.
    /// </summary>
    public const string ReservedPrefix = Identifiers.Reserved;

    /// <summary>The nested class of the GPU backend (<see cref="GpuEmitter"/>).</summary>
    public const string GpuClass = "Gpu";

    /// <summary>The public members <see cref="CpuEmitter"/> and <see cref="GpuEmitter"/> add to every model class
    /// (the State members only to models with batch norm, but the names are reserved for all).</summary>
    public static IReadOnlyList<string> Public { get; } = new[]
    {
        "Predict", "Evaluate", "ComputeGradients", "TrainStep", "InputGradient", "Backward", "InitializeParameters",
        "Parameters", "Gradients", "LearningRate", "ParameterLayout", "ParameterCount", "ParameterStorageLength", "GraphText", "GraphDot",
        "CostReport", "PredictMultiplyAdds", "TrainStepMultiplyAdds", "ArenaFixedFloats", "ArenaFloatsPerSample",
        "State", "StateLayout", "StateCount", GpuClass,
        // Only where the project references Dl.Onnx (OnnxEmitter), but reserved for all.
        OnnxEmitter.ExportMember,
    };

    /// <summary>The generated constructor's parameters: <c>Model(int seed = 0)</c>.</summary>
    public const string ConstructorSignature = "(int seed = 0)";

    private static readonly HashSet<string> s_public = new(Public, StringComparer.Ordinal);

    /// <summary>Whether a user member named <paramref name="name"/> would collide with generated code.</summary>
    public static bool IsReserved(string name) =>
        s_public.Contains(name) || name.StartsWith(ReservedPrefix, StringComparison.Ordinal);
}
