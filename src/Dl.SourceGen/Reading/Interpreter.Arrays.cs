using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>
/// Arrays in model code: <c>new Tensor[n]</c> (n a build-time constant), elements read and written by
/// constant index, <c>.Length</c>. Inside a loop lowered to a loop node, <c>hs[t] = h</c> makes h a
/// per-step output of the loop, and <c>Nn.Stack(axis, hs)</c> over all its steps the loop's stacked
/// output: one loop, not one copy of the body per element.
/// </summary>
internal sealed partial class Interpreter
{
    /// <summary>An element written: where, to which array, at which index, what.</summary>
    private readonly record struct ElementWrite(LocationInfo At, ArrayValue Array, int Index, Value Value);

    /// <summary>Every element written so far, in order (a loop compares the writes of its first two steps).</summary>
    private readonly List<ElementWrite> _writes = new();

    private int _arrays;

    private ArrayValue NewArray(IEnumerable<Value> items) => new(items, ++_arrays);

    /// <summary><c>new Tensor[n]</c>: n empty elements.</summary>
    private Value EmptyArray(IArrayCreationOperation creation, IOperation size, Frame f)
    {
        int n = Int(Eval(size, f), size.Syntax);
        if (n < 0 || n > MaxLoopSteps)
            throw Error(DiagnosticDescriptors.SizeTooLarge, size.Syntax,
                $"'{creation.Syntax}' has {n} elements: an array in model code holds 0 to {MaxLoopSteps.ToString(CultureInfo.InvariantCulture)}");
        return NewArray(Enumerable.Repeat<Value>(UnsetValue.Instance, n));
    }

    private (ArrayValue Array, int Index) ElementOf(IArrayElementReferenceOperation element, Frame f)
    {
        var array = Eval(element.ArrayReference, f);
        if (array is PoisonValue) throw new PoisonedException();
        if (array is not ArrayValue a || element.Indices.Length != 1)
            throw Unsupported(element.Syntax, $"indexing ('{element.Syntax}') {Describe(array)}");
        var at = element.Indices[0];
        int index = Int(Eval(at, f), at.Syntax);
        if (index < 0 || index >= a.Items.Count)
            throw Error(DiagnosticDescriptors.ShapeMismatch, element.Syntax,
                $"'{element.Syntax}': index {index} is outside the array's {a.Items.Count} elements");
        return (a, index);
    }

    private Value Element(IArrayElementReferenceOperation element, Frame f)
    {
        var (array, index) = ElementOf(element, f);
        return array.Items[index] is UnsetValue
            ? throw Unsupported(element.Syntax, $"reading '{element.Syntax}' (element {index}) before it is written")
            : array.Items[index];
    }

    private void SetElement(IArrayElementReferenceOperation element, Value value, Frame f)
    {
        var (array, index) = ElementOf(element, f);
        array.Set(index, value);
        _writes.Add(new ElementWrite(LocationInfo.From(element.Syntax), array, index, value));
    }

    /// <summary>
    /// <c>x.Chunk(axis, count)</c>: an array of <paramref name="call"/>'s count parts, one Chunk op each (a
    /// Slice once the size is known; a size count does not divide is reported there, at the call).
    /// </summary>
    private Value Chunk(IInvocationOperation call, Frame f)
    {
        int x = TensorOf(Eval(call.Instance!, f), call.Instance!.Syntax, f);
        int Setting(string name)
        {
            var argument = call.Arguments.First(a => a.Parameter?.Name == name).Value;
            return Int(Eval(argument, f), argument.Syntax);
        }
        int axis = Setting("axis"), count = Setting("count");
        if (count < 1)
        {
            var at = call.Arguments.First(a => a.Parameter?.Name == "count").Value.Syntax;
            throw Error(DiagnosticDescriptors.ShapeMismatch, at, $"Chunk: needs a positive number of parts, got {count}");
        }
        var parts = new List<Value>();
        for (int part = 0; part < count; part++)
            parts.Add(Emit("Chunk", call.Syntax, f, new[] { x }, o => o with { Ints = new[] { axis, count, part }.ToEquatableArray() }));
        return NewArray(parts);
    }

    /// <summary>The Loop op for one value of a lowered loop, made where it is read.</summary>
    private int EmitLoopResult(LoweredLoop loop, LoopResultKind kind, int index, int argument, Frame f)
    {
        _budget.Op(loop.Location, f.CallSite);
        _ops.Add(new OpSpec(OpSpec.LoopOp, loop.Inits, loop.Location)
        {
            Ints = (loop.Layout with { Result = kind, ResultIndex = index, ResultArgument = argument }).Encode(_ops.Count),
            Context = loop.Context,
            CallSite = loop.CallSite,
        });
        return _ops.Count - 1;
    }

    /// <summary>
    /// When <paramref name="items"/> are every step of one per-step output of a loop, in time order or
    /// reversed: that output and whether it runs backwards. <c>Nn.Stack</c> of them is the stacked output.
    /// </summary>
    private static (LoweredLoop Loop, int Output, bool Reversed)? StepRun(IReadOnlyList<Value> items)
    {
        if (items.Count == 0 || items[0] is not LoopStepValue { Loop: var loop, Output: var output }) return null;
        int steps = loop.Layout.Steps;
        if (items.Count != steps) return null;
        bool forward = true, backward = true;
        for (int k = 0; k < steps; k++)
        {
            if (items[k] is not LoopStepValue v || v.Loop != loop || v.Output != output) return null;
            forward &= v.Step == k;
            backward &= v.Step == steps - 1 - k;
        }
        return forward || backward ? (loop, output, !forward) : null;
    }

    /// <summary><c>Nn.Stack(axis, hs)</c> over every step of a loop's output: the stacked output (reversed when hs runs backwards).</summary>
    private Value StackRun((LoweredLoop Loop, int Output, bool Reversed) run, int axis, SyntaxNode at, Frame f)
    {
        int stacked = EmitLoopResult(run.Loop, LoopResultKind.Stacked, run.Output, axis, f);
        // Reverse's axis counts from the end of the stacked result as Stack's does: the same number.
        return run.Reversed ? Emit("Reverse", at, f, new[] { stacked }, o => o with { Ints = new[] { axis }.ToEquatableArray() }) : new TensorValue(stacked);
    }
}
