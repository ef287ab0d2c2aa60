using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// The storage one entry point uses, as named span locals declared before its kernel calls:
/// <c>__Span hidden_weight = __Param(0, 100352);</c>, <c>__Span d_hidden_weight = __Grad(0, 100352);</c>,
/// <c>__Span hidden_relu = __arena.Slice(__FixedArena, 128 * __n);</c>; the calls then pass names.
/// A span is a view, so the locals allocate nothing. Only the storage the entry point uses is
/// declared. A parameter, gradient or state is one local; in the working memory each value has its
/// own, named after it, even where the planner reuses a dead value's place (two locals then view the
/// same floats, at different times), and a view of a value (a reshape) shares its local. A loop's
/// carry or slice buffer is one local however many nodes of the step read it.
/// A local's name never starts with <see cref="Identifiers.Reserved"/>, so it cannot be a generated
/// member's or local's, and gets a number while it is an input's or another local's name
/// (<c>block_add</c>, <c>block_add_2</c>, <c>block_add_3</c> for a layer applied three times); keywords are escaped.
/// The GPU backend declares device views the same way (<c>__View hidden_weight = __P(0, 100352);</c>), and names
/// its inputs' slots too: its private run methods see the batch in the device arena, not the user's spans.
/// </summary>
internal sealed class EntryStorage
{
    /// <summary>The using alias for the locals' type: <c>global::System.Span&lt;float&gt;</c>, which no user type can hide (unlike <c>var</c>).</summary>
    public const string SpanAlias = Identifiers.Reserved + "Span";

    private readonly CompiledModel _model;
    private readonly NodeNames _names;
    private readonly HashSet<string> _taken;
    private readonly Dictionary<(Node?, string), string> _byExpression = new();
    private readonly List<(string Name, string Type, string Expression)> _declared = new();
    private readonly bool _nameInputs;
    private readonly IReadOnlyList<string> _userNames;

    /// <param name="model">The model whose storage is named.</param>
    /// <param name="names">The name hints of its values.</param>
    /// <param name="userNames">Names in scope that a local must not take (it gets a number instead).</param>
    /// <param name="nameInputs">Whether an input gets a local too (the GPU's view of its slot) rather than being the user's span.</param>
    public EntryStorage(CompiledModel model, NodeNames names, IEnumerable<string> userNames, bool nameInputs = false)
    {
        _model = model;
        _names = names;
        _userNames = userNames.ToList();
        _taken = new HashSet<string>(_userNames.Select(Identifiers.Bare));
        _nameInputs = nameInputs;
    }

    /// <summary>The same model's storage named afresh, for a generated method of its own (a loop split over the batch's rows).</summary>
    public EntryStorage Fresh() => new(_model, _names, _userNames, _nameInputs);

    /// <summary>
    /// The local for <paramref name="node"/> at <paramref name="location"/>, whose view is <paramref name="expression"/>
    /// of C# type <paramref name="type"/> (null: <see cref="SpanAlias"/>); an input is its parameter unless inputs are named.
    /// </summary>
    public string Of(Node node, Location location, string expression, string? type = null)
    {
        if (location is InputLocation && !_nameInputs) return expression;
        return Local(location switch
        {
            ParamLocation p => ParameterName(p.Offset) ?? _names.Of(node),
            GradientLocation gl => ParameterName(gl.Offset) is { } param ? "d_" + param : _names.Of(node),
            StateLocation st => _model.States.FirstOrDefault(s => s.Offset == st.Offset) is { } s ? KernelNames.Part(s.Name) : _names.Of(node),
            CarriedLocation c => c.Index < _model.CarriedStates.Count ? _names.Of(_model.CarriedStates[c.Index]) : _names.Of(node),
            _ => _names.Of(node),
        }, expression, location is ArenaLocation && MemoryPlanner.Base(node) is { Op: not LoopSlotOp } value ? value : null, type);
    }

    /// <summary>The local for parameter <paramref name="param"/>'s gradient slot, whose view is <paramref name="expression"/> (of type <paramref name="type"/>, null: a span).</summary>
    public string Gradient(Node param, string expression, string? type = null) => Local("d_" + _names.Of(param), expression, null, type);

    /// <summary>A local named <paramref name="preferred"/> (or with a number) for <paramref name="expression"/>: storage no node location describes (the GPU's loss buffer).</summary>
    public string Named(string preferred, string expression, string type) => Local(preferred, expression, null, type);

    private string? ParameterName(long offset) => _model.Parameters.FirstOrDefault(p => p.Offset == offset) is { } p ? KernelNames.Part(p.Name) : null;

    private string Local(string preferred, string expression, Node? value, string? type)
    {
        if (_byExpression.TryGetValue((value, expression), out var known)) return known;
        string stem = preferred.TrimStart('_') is { Length: > 0 } bare ? bare : "value", unused = stem;
        for (int k = 2; _taken.Contains(unused); k++) unused = stem + "_" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string name = Identifiers.Escape(unused);
        _taken.Add(Identifiers.Bare(name));
        _byExpression[(value, expression)] = name;
        _declared.Add((name, type ?? SpanAlias, expression));
        return name;
    }

    /// <summary>Writes the declarations, in the order of first use.</summary>
    public void Declare(SourceWriter w)
    {
        if (_declared.Count == 0) return;
        w.Line("// storage: views of the parameters, gradients and working memory (no allocation)");
        foreach (var (name, type, expression) in _declared) w.Line($"{type} {name} = {expression};");
    }
}
