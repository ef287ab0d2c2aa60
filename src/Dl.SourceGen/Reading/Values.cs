using System.Collections.Generic;
using System.Collections.Immutable;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;

namespace Dl.SourceGen.Reading;

/// <summary>What an expression in model code evaluates to while the reader traces it.</summary>
internal abstract class Value { }

/// <summary>A float tensor: the index of the traced op that produces it.</summary>
internal sealed class TensorValue(int op) : Value
{
    public int Op { get; } = op;
}

/// <summary>Integer class labels (an Int32 input).</summary>
internal sealed class LabelsValue(int op) : Value
{
    public int Op { get; } = op;
}

/// <summary>
/// A value known at build time: an int, long, float, double, bool or null, with its C# type
/// (the enum type for enum members, so <c>Activation.Relu</c> can be mapped by name).
/// </summary>
internal sealed class ConstValue(object? value, ITypeSymbol? type) : Value
{
    public object? Constant { get; } = value;
    public ITypeSymbol? Type { get; } = type;
    public override string ToString() => Constant?.ToString() ?? "null";
}

/// <summary>
/// An array: a params argument such as <c>Reshape(-1, 28, 28)</c>, an array expression, the parts of a
/// <c>Chunk</c>, or <c>new Tensor[n]</c> filled by element (<c>hs[t] = h</c>; <see cref="UnsetValue"/> until then).
/// It is one object however many locals refer to it, as in C#.
/// </summary>
internal sealed class ArrayValue(IEnumerable<Value> items, int serial) : Value
{
    private readonly Value[] _items = System.Linq.Enumerable.ToArray(items);

    public IReadOnlyList<Value> Items => _items;

    /// <summary>Arrays in the order the reader made them (a loop step's own arrays are those made after it began).</summary>
    public int Serial { get; } = serial;

    public void Set(int index, Value value) => _items[index] = value;
}

/// <summary>An element of <c>new Tensor[n]</c> not written yet.</summary>
internal sealed class UnsetValue : Value
{
    public static UnsetValue Instance { get; } = new();
}

/// <summary>
/// A loop lowered to a loop node, as the reader keeps it to make more of its values later: the Loop ops
/// for its per-step outputs are made where they are read (<see cref="LoopStepValue"/>).
/// </summary>
internal sealed class LoweredLoop(Spec.LoopLayout layout, EquatableArray<int> inits, LocationInfo location, string context, LocationInfo? callSite)
{
    public Spec.LoopLayout Layout { get; } = layout;
    public EquatableArray<int> Inits { get; } = inits;
    public LocationInfo Location { get; } = location;
    public string Context { get; } = context;
    public LocationInfo? CallSite { get; } = callSite;
}

/// <summary>
/// Per-step output <see cref="Output"/> of a lowered loop at time step <see cref="Step"/> (what the loop's
/// body wrote to an array element at that step). Becomes an op only when read: all steps of one output
/// in order, given to <c>Nn.Stack</c>, are the loop's stacked output; one alone is that output's step.
/// </summary>
internal sealed class LoopStepValue(LoweredLoop loop, int output, int step) : Value
{
    public LoweredLoop Loop { get; } = loop;
    public int Output { get; } = output;
    public int Step { get; } = step;
}

/// <summary>
/// A tuple (<c>(h, c)</c>, a layer step returning <c>(Tensor H, Tensor C)</c>): its element values in
/// order. Callers deconstruct it or read <c>.Item1</c> / a named element; it never becomes an op itself.
/// </summary>
internal sealed class TupleValue(ImmutableArray<Value> items) : Value
{
    public ImmutableArray<Value> Items { get; } = items;
}

/// <summary>A built-in <c>Dense</c> layer held by a field.</summary>
internal sealed class DenseValue(string path, int inputs, int outputs, string activation, bool bias) : Value
{
    public string Path { get; } = path;
    public int Inputs { get; } = inputs;
    public int Outputs { get; } = outputs;
    public string Activation { get; } = activation;
    public bool Bias { get; } = bias;
}

/// <summary>A <c>Param</c> field; becomes a Param op (located at its declaration) the first time it is read.</summary>
internal sealed class ParamValue(string path, ImmutableArray<int> shape, string init, LocationInfo declaration) : Value
{
    public string Path { get; } = path;
    public ImmutableArray<int> Shape { get; } = shape;
    public string Init { get; } = init;
    public LocationInfo Declaration { get; } = declaration;
    public int Op { get; set; } = -1;
}

/// <summary>An instance of the model or of a user <c>[Layer]</c> class, identified by its field path.</summary>
internal sealed class InstanceValue(string path, INamedTypeSymbol type, IReadOnlyDictionary<string, Value> constructorArguments) : Value
{
    /// <summary>"" for the model itself, "block", "block.inner", ...</summary>
    public string Path { get; } = path;
    public INamedTypeSymbol Type { get; } = type;

    /// <summary>Primary-constructor parameters bound to the constants given at the <c>new</c> site.</summary>
    public IReadOnlyDictionary<string, Value> ConstructorArguments { get; } = constructorArguments;

    /// <summary>Field values, read lazily from the field initializers and then kept (same field = same instance).</summary>
    public Dictionary<IFieldSymbol, Value> Fields { get; } = new(SymbolEqualityComparer.Default);

    public string FieldPath(string field) => Path.Length == 0 ? field : Path + "." + field;
}

/// <summary>
/// Stands for an expression that already produced a diagnostic: anything computed from it is
/// poisoned too, silently, so one mistake gives one error rather than a cascade.
/// </summary>
internal sealed class PoisonValue : Value
{
    public static PoisonValue Instance { get; } = new();
}

/// <summary>Thrown inside the reader to report a diagnostic and poison the expression being read.</summary>
internal sealed class ReadException(DiagnosticInfo diagnostic) : System.Exception(diagnostic.Id)
{
    public DiagnosticInfo Diagnostic { get; } = diagnostic;
}

/// <summary>The user's code has C# errors: stop reading, report nothing (the compiler already does).</summary>
internal sealed class CompileErrorException : System.Exception { }

/// <summary>One method being traced: the instance it runs on, its locals and parameters, and where it was called from.</summary>
internal sealed class Frame(InstanceValue self, string context, LocationInfo? callSite, int depth)
{
    public InstanceValue Self { get; } = self;
    public Dictionary<ISymbol, Value> Variables { get; } = new(SymbolEqualityComparer.Default);
    public string Context { get; } = context;
    public LocationInfo? CallSite { get; } = callSite;
    public int Depth { get; } = depth;

    /// <summary>Set while a field initializer is read: the path the created layer or parameter gets.</summary>
    public string? FieldPath { get; init; }
}
