using System.Linq;

namespace Dl.SourceGen.Spec;

/// <summary>
/// Everything the generator read from one <c>[Model]</c> class, as values: where the generated class
/// goes, the model's forward (and loss) code traced into a flat list of ops with the C# location
/// of each, the fields that own parameters (for unused-parameter warnings) and the diagnostics the
/// reader found. Equal specs produce equal output, which is what keeps the pipeline cached.
/// </summary>
internal sealed record ModelSpec(
    string ClassName,
    string? Namespace,
    string Accessibility,
    EquatableArray<string> ContainingTypes,
    LocationInfo Identifier)
{
    /// <summary>The traced ops, inputs before users; <see cref="OpSpec.Inputs"/> index this list.</summary>
    public EquatableArray<OpSpec> Ops { get; init; }

    /// <summary>Ops that are model inputs, in call order (Forward's parameters, then Loss's extra ones).</summary>
    public EquatableArray<int> Inputs { get; init; }

    /// <summary>How many of <see cref="Inputs"/> are Forward's (the rest are Loss's labels and targets).</summary>
    public int ForwardInputCount { get; init; }

    /// <summary>Forward's result; -1 when it could not be read.</summary>
    public int Output { get; init; } = -1;

    /// <summary>Loss's result; -1 for an inference-only model (no Loss method).</summary>
    public int Loss { get; init; } = -1;

    /// <summary>Where Loss returns its value (for "the loss is not a scalar").</summary>
    public LocationInfo? LossLocation { get; init; }

    /// <summary>Fields that own parameters (Param, Dense, user layers holding either), parents first.</summary>
    public EquatableArray<ParamFieldSpec> ParamFields { get; init; }

    public EquatableArray<DiagnosticInfo> Diagnostics { get; init; }

    /// <summary>The user's code does not compile: report nothing and emit nothing (the C# errors say it).</summary>
    public bool HasCompileErrors { get; init; }

    /// <summary>The model's name in messages, as C# writes it ("Demo.Outer&lt;T&gt;.Mlp"); set by the reader.</summary>
    public string? DisplayName { get; init; }

    /// <summary>
    /// The stem of the generated files' names ("Demo.Outer`1.Mlp": plain identifiers, generic arities,
    /// any character a hint name may not hold replaced); set by the reader. <see cref="HintNames"/>
    /// makes the final names unique across all models (Roslyn compares hint names ignoring case).
    /// </summary>
    public string? HintBase { get; init; }

    public string FullName => DisplayName ?? string.Join(".", new[] { Namespace }.Concat(ContainingTypes.Select(TypeName)).Concat(new[] { ClassName }).Where(s => !string.IsNullOrEmpty(s)));

    public string HintName => (HintBase ?? FullName) + ".g.cs";

    /// <summary>The GPU backend's file (<c>&lt;Model&gt;.Gpu</c>).</summary>
    public string GpuHintName => (HintBase ?? FullName) + ".Gpu.g.cs";

    public bool HasErrors => HasCompileErrors || Diagnostics.Any(d => d.IsError);

    /// <summary>"partial class Outer&lt;T&gt;" -> "Outer".</summary>
    private static string TypeName(string declaration)
    {
        var name = declaration.Split(' ').Last();
        int generic = name.IndexOf('<');
        return generic < 0 ? name : name.Substring(0, generic);
    }
}

/// <summary>A field that owns parameters, by its path in the model ("block.inner"), and where it is declared.</summary>
internal sealed record ParamFieldSpec(string Path, LocationInfo Location);

/// <summary>What a traced op is; one case per graph op or layer the front end lowers.</summary>
internal enum OpKind
{
    /// <summary>Float input [N, ...Ints]; Name = input name; Flag = gradient requested.</summary>
    Input,
    /// <summary>Integer labels input [N, ...Ints].</summary>
    LabelsInput,
    /// <summary>Float input with the shape of Inputs[0] (a Loss target without [Input]).</summary>
    InputLike,
    /// <summary>Integer labels input with the shape of Inputs[0] minus its last axis.</summary>
    LabelsLike,
    /// <summary>Parameter; Name = path, Ints = shape, Option = init.</summary>
    Param,
    /// <summary>Scalar constant; Number = value.</summary>
    Constant,
    Add, Sub, Mul, Div, Neg,
    Exp, Log, Relu, Sigmoid, Tanh, Softmax, LogSoftmax,
    MatMul, BiasAdd, Transpose, Flatten,
    /// <summary>Ints = target shape, -1 = the batch dimension.</summary>
    Reshape,
    /// <summary>Ints = axes (empty: all).</summary>
    Sum,
    /// <summary>Ints = axes (empty: all).</summary>
    Mean,
    /// <summary>Built-in dense layer; Name = path, Ints = [inputs, outputs], Option = activation, Flag = bias.</summary>
    Dense,
    Mse, CrossEntropy, BinaryCrossEntropy,
    /// <summary>Number = slope.</summary>
    LeakyRelu,
    /// <summary>Number = alpha.</summary>
    Elu,
    Softplus, Abs, L1, L2, GlobalAvgPool2d,
    /// <summary>Ints = [kernel, stride, padding].</summary>
    MaxPool2d,
    /// <summary>Ints = [kernel, stride, padding].</summary>
    AvgPool2d,
    /// <summary>Inputs joined along the channels (axis 1).</summary>
    Concat,
    /// <summary>Name = path; Ints = [in, out, kernel, stride, padding (Layers.SamePadding: same), dilation, groups]; Option = activation; Flag = bias.</summary>
    Conv2d,
    /// <summary>Name = path; Ints = [in, out, kernel, stride, padding, output padding, dilation, groups]; Option = activation; Flag = bias.</summary>
    ConvTranspose2d,
    /// <summary>Name = path; Ints = [in, out, kernel, stride, padding (Layers.SamePadding: same), dilation]; Option = activation; Flag = bias.</summary>
    DepthwiseSeparableConv2d,
    /// <summary>Name = path; Ints = [features, expected input rank (2 or 4)]; Number = momentum; Option = epsilon.</summary>
    BatchNorm,
    /// <summary>Name = path; Number = rate.</summary>
    Dropout,
    /// <summary>
    /// The final value of one carried variable of a loop lowered to a loop node (Reading/Interpreter.Loops.cs);
    /// Inputs = every carry's initial value; Ints = steps, carry, body start (back from this op), body length,
    /// carries, each carry's value after a step (from the body start), then (op, operand, carry) triples.
    /// </summary>
    Loop,
}

/// <summary>One traced op: what it is, its operands (indices of earlier ops), its attributes and the C# expression that made it.</summary>
internal sealed record OpSpec(OpKind Kind, EquatableArray<int> Inputs, LocationInfo Location)
{
    public string Name { get; init; } = "";
    public EquatableArray<int> Ints { get; init; }
    public double Number { get; init; }
    public string Option { get; init; } = "";
    public bool Flag { get; init; }

    /// <summary>The layer instance this op was traced in ("layer 'block' (Residual)"); empty at model level.</summary>
    public string Context { get; init; } = "";

    /// <summary>The model-level call that led here, when the op sits inside a layer.</summary>
    public LocationInfo? CallSite { get; init; }
}

/// <summary>What the generator emits for one model: its source (null when there are errors) and its diagnostics.</summary>
internal sealed record GenerationResult(string ModelName, string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);
