using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Dl.SourceGen;

/// <summary>
/// Every diagnostic the generator reports. IDs are never reused; DL9999 is an internal failure.
/// Each is reported at the offending expression, not at the whole method.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "DlCompiler";

    /// <summary>Operand shapes do not fit (also bad axes, bad arguments, wrong element types): the shape rule's text.</summary>
    public static readonly DiagnosticDescriptor ShapeMismatch = Error("DL0001", "Shape mismatch", "{0}");

    /// <summary>A tensor of the wrong rank given to a layer or an op.</summary>
    public static readonly DiagnosticDescriptor WrongRank = Error("DL0002", "Wrong rank for a layer or op", "{0}");

    /// <summary>A call to something that is not an op, a layer or a model/layer method with source.</summary>
    public static readonly DiagnosticDescriptor UnknownCall = Error("DL0003", "Unknown or unsupported call",
        "'{0}' is not an op or a layer call the model compiler knows{1}");

    /// <summary>A C# construct outside the model subset (while, lambdas, await, new in Forward, ...).</summary>
    public static readonly DiagnosticDescriptor UnsupportedConstruct = Error("DL0004", "Unsupported C# construct in a model",
        "Unsupported in model code: {0}");

    /// <summary>A for loop whose condition is not a compile-time constant (loops are unrolled).</summary>
    public static readonly DiagnosticDescriptor NonConstantLoopBound = Error("DL0005", "Non-constant loop bound",
        "The loop condition '{0}' is not a compile-time constant: loops in a model are unrolled at build time, so their bounds must be constants");

    /// <summary>The model class (or a type containing it) is not partial.</summary>
    public static readonly DiagnosticDescriptor NotPartial = Error("DL0006", "Model class is not partial",
        "'{0}' must be declared partial so the generator can add the compiled members of model '{1}'");

    /// <summary>The model class has no instance Forward method.</summary>
    public static readonly DiagnosticDescriptor MissingForward = Error("DL0007", "Model has no Forward method",
        "Model '{0}' has no Forward method: declare 'public Tensor Forward([Input(...)] Tensor x)'");

    /// <summary>A field owning parameters that neither Forward nor Loss uses.</summary>
    public static readonly DiagnosticDescriptor UnusedParameter = new("DL0008", "Unused parameter",
        "'{0}' declares parameters that neither Forward nor Loss uses", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    /// <summary>A Forward parameter without [Input(...)].</summary>
    public static readonly DiagnosticDescriptor MissingInput = Error("DL0009", "Forward parameter without [Input]",
        "Forward parameter '{0}' needs an [Input(...)] attribute giving its per-sample shape, e.g. [Input(784)]");

    /// <summary>Loss returns a tensor that is not a scalar.</summary>
    public static readonly DiagnosticDescriptor LossNotScalar = Error("DL0010", "Loss is not a scalar",
        "Loss must return a scalar, got shape {0}: reduce it with Mean() or Sum()");

    /// <summary>A for loop that would unroll into more iterations than the limit (or never ends).</summary>
    public static readonly DiagnosticDescriptor LoopTooLong = Error("DL0011", "Loop too long to unroll",
        "The loop runs more than {0} iterations: loops in a model are unrolled at build time");

    /// <summary>A value that must be known at build time (layer sizes, axes, shapes, if conditions) is not.</summary>
    public static readonly DiagnosticDescriptor NotConstant = Error("DL0012", "Value must be a compile-time constant",
        "'{0}' must be a compile-time constant: {1}");

    /// <summary>A tensor's channels do not match a convolution's weight or a layer (also groups that do not divide the channels).</summary>
    public static readonly DiagnosticDescriptor ChannelMismatch = Error("DL0013", "Channel mismatch", "{0}");

    /// <summary>A (dilated) convolution kernel larger than the padded input.</summary>
    public static readonly DiagnosticDescriptor KernelTooLarge = Error("DL0014", "Kernel larger than the padded input", "{0}");

    /// <summary>Sizes that leave a convolution with no output (a transposed convolution padded away to nothing).</summary>
    public static readonly DiagnosticDescriptor EmptyOutput = Error("DL0015", "Non-positive output size", "{0}");

    /// <summary>A stride or dilation of zero (or less) in a convolution or pooling.</summary>
    public static readonly DiagnosticDescriptor BadStride = Error("DL0016", "Stride or dilation of zero", "{0}");

    /// <summary>A pooling window larger than the (padded) input.</summary>
    public static readonly DiagnosticDescriptor PoolTooLarge = Error("DL0017", "Pooling window larger than the input", "{0}");

    /// <summary>Tracing made more tensor operations or method calls than the budget (an exponential or runaway model).</summary>
    public static readonly DiagnosticDescriptor TraceTooLarge = Error("DL0018", "Model too large to trace", "{0}");

    /// <summary>All loops together unrolled more iterations than the budget (nested loops multiply).</summary>
    public static readonly DiagnosticDescriptor TooManyIterations = Error("DL0019", "Too many unrolled loop iterations", "{0}");

    /// <summary>Layers nested too deep or too many layer instances (a layer that holds itself).</summary>
    public static readonly DiagnosticDescriptor LayersTooDeep = Error("DL0020", "Layers nested too deep", "{0}");

    /// <summary>Method calls nested too deep (recursion without an end at build time).</summary>
    public static readonly DiagnosticDescriptor CallsTooDeep = Error("DL0021", "Calls nested too deep", "{0}");

    /// <summary>A size whose element count does not fit an int (a layer, a parameter, an input, a reshape).</summary>
    public static readonly DiagnosticDescriptor SizeTooLarge = Error("DL0022", "Size too large", "{0}");

    /// <summary>Build-time constant arithmetic that overflows or divides by zero.</summary>
    public static readonly DiagnosticDescriptor ConstantArithmetic = Error("DL0023", "Constant arithmetic fails",
        "'{0}' {1} when the model is compiled");

    /// <summary>An [Input] or a Param without a shape.</summary>
    public static readonly DiagnosticDescriptor MissingShape = Error("DL0024", "Missing shape", "{0}");

    /// <summary>[Model] on a record, a struct or a static class.</summary>
    public static readonly DiagnosticDescriptor ModelNotClass = Error("DL0025", "A model must be a class",
        "Model '{0}' is {1}: declare it as a 'partial class' (the generator adds parameters and methods to an instance of it)");

    /// <summary>Forward or Loss returns something other than a Tensor (void, a number, ...).</summary>
    public static readonly DiagnosticDescriptor MustReturnTensor = Error("DL0026", "Forward and Loss must return a Tensor", "{0}");

    /// <summary>A user member whose name (or a constructor whose signature) the generated code also declares.</summary>
    public static readonly DiagnosticDescriptor ReservedMember = Error("DL0027", "Name reserved by the generator", "{0}");

    /// <summary>The model's base class has no constructor the generated <c>Model(int seed = 0)</c> can call as <c>base()</c>.</summary>
    public static readonly DiagnosticDescriptor BaseWithoutDefaultConstructor = Error("DL0028", "Base class needs a parameterless constructor",
        "Model '{0}' derives from '{1}', which has no constructor callable without arguments: the generated constructor '{0}(int seed = 0)' calls base(); add one to '{1}' or derive from another class");

    /// <summary>A tensor (per sample) or a total of the compiled model (parameters, working memory) past what an int counts.</summary>
    public static readonly DiagnosticDescriptor TensorTooLarge = Error("DL0040", "Tensor too large", "{0}");

    /// <summary>
    /// The project references the GPU runtime but the model has something the GPU backend has no kernel
    /// for: <c>Model.Gpu</c> still exists (user code compiles) and its constructor throws with the reason.
    /// </summary>
    public static readonly DiagnosticDescriptor GpuUnsupported = new("DL0041", "Model cannot run on the GPU",
        "Model '{0}' cannot run on the GPU: {1}; its Gpu class throws NotSupportedException when created", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    /// <summary>The project references Dl.Onnx but the inference graph has an op ONNX export cannot map; names it.</summary>
    public static readonly DiagnosticDescriptor OnnxUnsupported = new("DL0042", "Model cannot be exported to ONNX",
        "Model '{0}' cannot be exported to ONNX: {1}; its ExportOnnx throws NotSupportedException saying so", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    /// <summary>An <c>[Objective]</c> names no part, or a part that holds no parameter of the model.</summary>
    public static readonly DiagnosticDescriptor ObjectiveTrainsNothing = Error("DL0043", "Objective trains nothing", "{0}");

    /// <summary>The generator itself failed; names the model and the exception.</summary>
    public static readonly DiagnosticDescriptor InternalError = Error("DL9999", "Internal compiler failure",
        "Internal DlCompiler failure while compiling model '{0}': {1}");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = new[]
    {
        ShapeMismatch, WrongRank, UnknownCall, UnsupportedConstruct, NonConstantLoopBound, NotPartial, MissingForward,
        UnusedParameter, MissingInput, LossNotScalar, LoopTooLong, NotConstant,
        ChannelMismatch, KernelTooLarge, EmptyOutput, BadStride, PoolTooLarge,
        TraceTooLarge, TooManyIterations, LayersTooDeep, CallsTooDeep, SizeTooLarge, ConstantArithmetic, MissingShape,
        ModelNotClass, MustReturnTensor, ReservedMember, BaseWithoutDefaultConstructor,
        TensorTooLarge, GpuUnsupported, OnnxUnsupported, ObjectiveTrainsNothing,
        InternalError,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> _byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => _byId[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
