using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>Where an op appears in model code.</summary>
[Flags]
public enum OpSurface
{
    /// <summary>Not written by the user directly: inputs, parameters, constants (the reader makes them).</summary>
    Source = 0,
    /// <summary>A C# operator on tensors: <c>a + b</c>, <c>-x</c>.</summary>
    Operator = 1,
    /// <summary>A static function: <c>Nn.Relu(x)</c>.</summary>
    Nn = 2,
    /// <summary>A Tensor method, the receiver being the first operand: <c>x.Relu()</c>.</summary>
    Method = 4,
    /// <summary>A built-in layer held by a field, its settings given to its constructor: <c>new Conv2d(...)</c>, then <c>conv.Forward(x)</c>.</summary>
    Layer = 8,
}

/// <summary>How the reader turns a C# argument into an attribute (see <see cref="OpArgs"/> for where each kind is kept).</summary>
public enum AttributeKind
{
    /// <summary>A build-time number (float or int constant), appended to <see cref="OpArgs.Reals"/> (the first also in <see cref="OpArgs.Number"/>).</summary>
    Real,
    /// <summary>A build-time int, appended to <see cref="OpArgs.Ints"/>.</summary>
    Int,
    /// <summary>A <c>params int[]</c> of build-time ints, all of <see cref="OpArgs.Ints"/>.</summary>
    Ints,
}

/// <summary>One attribute: the C# parameter it is read from and how.</summary>
public sealed class OpAttribute
{
    public OpAttribute(string parameter, AttributeKind kind, string? defaultFrom = null, string? sizeCheck = null)
    {
        Parameter = parameter; Kind = kind; DefaultFrom = defaultFrom; SizeCheck = sizeCheck;
    }

    /// <summary>The C# parameter's name (<c>slope</c> in <c>Nn.LeakyRelu(x, slope: 0.2f)</c>).</summary>
    public string Parameter { get; }
    public AttributeKind Kind { get; }
    /// <summary>A C# <c>null</c> (the API's "default") takes the value of this other attribute (MaxPool2d's stride: the kernel).</summary>
    public string? DefaultFrom { get; }
    /// <summary>When set, the reader checks the product of the sizes (ignoring -1) fits a tensor, naming them so (DL0022).</summary>
    public string? SizeCheck { get; }

    public static OpAttribute Real(string parameter) => new(parameter, AttributeKind.Real);
    public static OpAttribute Int(string parameter, string? defaultFrom = null) => new(parameter, AttributeKind.Int, defaultFrom);
    public static OpAttribute Ints(string parameter, string? sizeCheck = null) => new(parameter, AttributeKind.Ints, sizeCheck: sizeCheck);
}

/// <summary>
/// The attributes of one traced op, as the generator keeps them (plain values, so its specs stay
/// equatable): what each means is up to the op's <see cref="OpEntry"/>.
/// </summary>
public sealed class OpArgs
{
    public static OpArgs None { get; } = new();

    /// <summary>An input's or parameter's name, a layer's field path.</summary>
    public string Name { get; set; } = "";
    /// <summary>Sizes, axes, layer settings, in the order the entry documents.</summary>
    public IReadOnlyList<int> Ints { get; set; } = Array.Empty<int>();
    /// <summary>The op's first real setting (a slope, a rate, a constant's value): <see cref="Reals"/>[0] for a row with Real attributes.</summary>
    public double Number { get; set; }
    /// <summary>Every Real attribute of the row, in the row's order (Clamp's min and max).</summary>
    public IReadOnlyList<double> Reals { get; set; } = Array.Empty<double>();
    /// <summary>An enum by name (an activation, an init) or a second real as round-trip text.</summary>
    public string Option { get; set; } = "";
    /// <summary>A switch (a layer's bias, an input's gradient).</summary>
    public bool Flag { get; set; }
}

/// <summary>
/// One row of the op table: the op as the user writes it (surface and C# name, operands, attributes)
/// and the factory that builds its Dl.Graph node(s). The generator reads, records and lowers every op
/// through this row; nothing else lists the ops.
/// </summary>
public sealed class OpEntry
{
    public OpEntry(string name, OpSurface surface, int arity, Func<GraphBuilder, OpArgs, Node[], Node> build, params OpAttribute[] attributes)
    {
        Name = name; Surface = surface; Arity = arity; Build = build; Attributes = attributes;
        SurfaceName = name;
    }

    /// <summary>The table's key; what a traced op records.</summary>
    public string Name { get; }
    public OpSurface Surface { get; }
    /// <summary>The C# name: a method, function or layer type name, or an operator's symbol (<c>+</c>).</summary>
    public string SurfaceName { get; init; }
    /// <summary>Tensor operands (a method's receiver counts); -1: any number, as a <c>params Tensor[]</c>.</summary>
    public int Arity { get; }
    /// <summary>Operands that are integer labels (<c>Labels</c>), by position.</summary>
    public IReadOnlyList<int> LabelOperands { get; init; } = Array.Empty<int>();
    /// <summary>Attributes read from the call's other arguments, by parameter name.</summary>
    public IReadOnlyList<OpAttribute> Attributes { get; }
    /// <summary>Builds the node; shape rules (and their messages) run here, as <see cref="ShapeException"/>.</summary>
    public Func<GraphBuilder, OpArgs, Node[], Node> Build { get; }
    /// <summary>For layers: whether it holds parameters (a layer field that never reaches the loss is a warning).</summary>
    public bool HasParameters { get; init; }
    /// <summary>Whether it behaves differently in training and inference (batch statistics, dropout masks drawn per step).</summary>
    public bool DependsOnMode { get; init; }
    /// <summary>What the <c>Ints</c>, <c>Number</c>, <c>Option</c> and <c>Flag</c> of its args mean, for readers of specs.</summary>
    public string Doc { get; init; } = "";

    public OpAttribute? Attribute(string parameter) => Attributes.FirstOrDefault(a => a.Parameter == parameter);

    public override string ToString() => Name;
}
