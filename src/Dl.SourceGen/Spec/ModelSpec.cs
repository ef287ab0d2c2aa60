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

    /// <summary>The <c>[Objective]</c> methods in declaration order: more losses, each training named parts.</summary>
    public EquatableArray<ObjectiveSpec> Objectives { get; init; }

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

    /// <summary>The ONNX export's file (<c>ExportOnnx</c>).</summary>
    public string OnnxHintName => (HintBase ?? FullName) + ".Onnx.g.cs";

    public bool HasErrors => HasCompileErrors || Diagnostics.Any(d => d.IsError);

    /// <summary>"partial class Outer&lt;T&gt;" -> "Outer".</summary>
    private static string TypeName(string declaration)
    {
        var name = declaration.Split(' ').Last();
        int generic = name.IndexOf('<');
        return generic < 0 ? name : name.Substring(0, generic);
    }
}

/// <summary>
/// One <c>[Objective]</c> method: its name (the generated <c>Train{Name}</c>), its traced loss, its own inputs
/// (after Forward's), the parts it trains as written, and where the attribute and the returned value are.
/// </summary>
internal sealed record ObjectiveSpec(string Name, int Loss, EquatableArray<int> Inputs, EquatableArray<string> Trains, LocationInfo Location, LocationInfo? LossLocation);

/// <summary>A field that owns parameters, by its path in the model ("block.inner"), and where it is declared.</summary>
internal sealed record ParamFieldSpec(string Path, LocationInfo Location, bool Frozen = false);

/// <summary>
/// One traced op: which row of <see cref="Dl.Graph.OpTable"/> it is (<see cref="Op"/>, the row's name),
/// its operands (indices of earlier ops), its attributes (what they mean is the row's
/// <see cref="Dl.Graph.OpEntry.Doc"/>) and the C# expression that made it.
/// </summary>
internal sealed record OpSpec(string Op, EquatableArray<int> Inputs, LocationInfo Location)
{
    /// <summary>
    /// The one traced op that is not a row of the op table but the front end's own: the final value of one
    /// value of a loop lowered to a loop node (Reading/Interpreter.Loops.cs, Lowering/LoopLowering.cs): a carried
    /// variable's final value, a per-step output stacked, or one step of it. Inputs = every carry's initial
    /// value; Ints = the loop's <see cref="LoopLayout"/> (encoded and decoded there only).
    /// </summary>
    public const string LoopOp = "Loop";

    public string Name { get; init; } = "";
    public EquatableArray<int> Ints { get; init; }
    public double Number { get; init; }
    /// <summary>Every Real attribute in the row's order (Number is the first).</summary>
    public EquatableArray<double> Reals { get; init; }
    public string Option { get; init; } = "";
    public bool Flag { get; init; }

    /// <summary>The layer instance this op was traced in ("layer 'block' (Residual)"); empty at model level.</summary>
    public string Context { get; init; } = "";

    /// <summary>The model-level call that led here, when the op sits inside a layer.</summary>
    public LocationInfo? CallSite { get; init; }

    /// <summary>The attributes as the op table's factories take them.</summary>
    public Dl.Graph.OpArgs Args => new() { Name = Name, Ints = Ints.ToArray(), Number = Number, Reals = Reals.ToArray(), Option = Option, Flag = Flag };
}

/// <summary>
/// What the generator emits for one model: its source (null when there are errors), its GPU backend's
/// source (null unless the project references the GPU runtime) and its diagnostics.
/// </summary>
internal sealed record GenerationResult(string ModelName, string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public string GpuHintName { get; init; } = "";
    public string? GpuSource { get; init; }
    public string OnnxHintName { get; init; } = "";
    /// <summary>The ExportOnnx members (null unless the project references Dl.Onnx).</summary>
    public string? OnnxSource { get; init; }
}
