using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>
/// Tuples: a layer step may return <c>(h, c)</c> and its caller deconstruct it (<c>var (h, c) = ...</c>,
/// <c>(h, c) = ...</c>, discards, nesting) or read <c>.Item1</c> / a named element. A tuple is only a
/// bundle of values at build time (<see cref="TupleValue"/>): its elements are what the ops see.
/// </summary>
internal sealed partial class Interpreter
{
    private Value Tuple(ITupleOperation tuple, Frame f) =>
        new TupleValue(tuple.Elements.Select(e => Eval(e, f)).ToImmutableArray());

    /// <summary><c>(a, b) = value</c> and <c>var (a, b) = value</c>: each target gets its element of the tuple.</summary>
    private Value Deconstruct(IDeconstructionAssignmentOperation assignment, Frame f)
    {
        var value = Eval(assignment.Value, f);
        if (value is not TupleValue and not PoisonValue)
        {
            AssignParts(assignment.Target, PoisonValue.Instance, f); // no stale values behind the error
            throw Unsupported(assignment.Value.Syntax, $"deconstructing {Describe(value)} (only tuples a method or a tuple expression returns deconstruct)");
        }
        AssignParts(assignment.Target, value, f);
        return value;
    }

    private void AssignParts(IOperation target, Value value, Frame f)
    {
        switch (target)
        {
            case IDeclarationExpressionOperation declaration:
                AssignParts(declaration.Expression, value, f);
                return;
            case IDiscardOperation:
                return;
            case ITupleOperation parts:
                // A poisoned tuple poisons every target (one error, no cascade from stale values).
                if (value is TupleValue tuple && tuple.Items.Length != parts.Elements.Length)
                    throw Unsupported(target.Syntax, $"deconstructing a tuple of {tuple.Items.Length} into {parts.Elements.Length} variables");
                if (value is not TupleValue and not PoisonValue)
                    throw Unsupported(target.Syntax, $"deconstructing {Describe(value)} (only tuples deconstruct)");
                for (int i = 0; i < parts.Elements.Length; i++)
                    AssignParts(parts.Elements[i], value is TupleValue t ? t.Items[i] : PoisonValue.Instance, f);
                return;
            default:
                Assign(target, value, f);
                return;
        }
    }

    /// <summary><c>t.Item2</c> or a named element <c>t.C</c> of a tuple value.</summary>
    private static Value TupleElement(TupleValue tuple, IFieldReferenceOperation reference)
    {
        var field = reference.Field;
        var item = field.CorrespondingTupleField ?? field;
        var elements = field.ContainingType.TupleElements;
        int index = -1;
        for (int k = 0; k < elements.Length; k++)
            if (SymbolEqualityComparer.Default.Equals(elements[k].CorrespondingTupleField ?? elements[k], item)) { index = k; break; }
        if (index < 0 || index >= tuple.Items.Length)
            throw Unsupported(reference.Syntax, $"the field '{field.Name}' of a tuple (read its elements by name or as Item1, Item2, ...)");
        return tuple.Items[index];
    }
}
