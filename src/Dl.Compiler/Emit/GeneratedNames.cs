using System.Collections.Generic;
using System.Linq;

namespace Dl.Compiler;

/// <summary>
/// The names one generated class uses where the user's names are in scope: an entry point's
/// parameters are the model's inputs, so a local or member it refers to must differ from every input
/// name. Each name is its <see cref="Identifiers.Reserved"/>-prefixed form, with underscores added
/// while an input already has it (an input called <c>__n</c> makes the batch local <c>__n_</c>).
/// Deterministic: the same inputs give the same names.
/// </summary>
public sealed class GeneratedNames
{
    private readonly HashSet<string> _taken;
    private readonly Dictionary<string, string> _names = new();

    public GeneratedNames(IEnumerable<string> userNames) => _taken = new HashSet<string>(userNames.Select(Identifiers.Bare));

    /// <summary>The names an entry point of <paramref name="model"/> must avoid: its inputs (Backward's and the objectives' too) and InputGradient's outputs.</summary>
    public static GeneratedNames For(CompiledModel model) => new(UserNames(model));

    /// <summary>The user's names in scope in the entry points of <paramref name="model"/>: its inputs (Backward's and the objectives' too) and InputGradient's outputs.</summary>
    public static IEnumerable<string> UserNames(CompiledModel model) =>
        model.Inputs.Concat(model.Objectives.SelectMany(o => o.Inputs)).Concat(model.OutputGradient is { } u ? new[] { u } : new Dl.Graph.Node[0])
            .Select(i => ((Dl.Graph.InputOp)i.Op).InputName).Concat(CpuEmitter.GradientParameterNames(model));

    /// <summary>The name to write for the generated <paramref name="name"/> (which starts with the reserved prefix).</summary>
    public string this[string name]
    {
        get
        {
            if (_names.TryGetValue(name, out var chosen)) return chosen;
            chosen = name;
            while (_taken.Contains(chosen)) chosen += "_";
            return _names[name] = chosen;
        }
    }
}
