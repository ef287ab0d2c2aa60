using System.Collections.Generic;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>
/// Lowering a constant-bound <c>for</c> loop to a loop node instead of unrolling it. A loop qualifies
/// when its body is the same at every step apart from the tensors it carries: the body reads the loop
/// variables only at index sites (the step's entry of a sequence, an array element the step writes:
/// Interpreter.IndexSites.cs), the header does not read what the body writes, and it runs more than
/// <see cref="MaxUnrolledLoop"/> steps (counted by running the header alone). The reader then traces
/// the first two steps as usual and compares them: the same ops with the same attributes, each operand
/// either inside the step (at the same place), the same value both times (a weight, a value computed
/// before the loop), or a carried variable (its value before the step); an index site's op may differ
/// only in its index, which moves as the plan computed. If they match, the second step's ops are
/// dropped, the first stays as the body, each carried variable gets a <see cref="OpSpec.LoopOp"/> op (its
/// final value after all steps) and each array element written holds its step of a per-step output
/// (Interpreter.LoopNode.cs, Interpreter.Arrays.cs). Anything else (a short loop, a body using the step
/// index otherwise, layers that differ per step, a return inside) unrolls as before.
/// </summary>
internal sealed partial class Interpreter
{
    /// <summary>Loops of at most this many steps are unrolled (their code is small, and fusion sees across steps).</summary>
    public const int MaxUnrolledLoop = 8;

    /// <summary>Steps a loop lowered to a loop node may run (its header runs that many times at build time).</summary>
    public const int MaxLoopSteps = 1 << 20;

    /// <summary>Steps the reader runs loop headers for to count them (all loops together), where a header is not the plain <c>i &lt; n; i++</c> form.</summary>
    public const int MaxCountedSteps = 1 << 16;

    private int _headerSteps;

    /// <summary>
    /// The step count of <c>for (...; i &lt; n; i++)</c> (also &lt;=, &gt;, &gt;=, --, += c, -= c) over an int
    /// <c>i</c> and a constant <c>n</c>, by arithmetic; null for any other header (then it is run step by step).
    /// </summary>
    private (int Steps, ISymbol Index, Value Final, int From, int Step)? CountCanonical(IForLoopOperation loop, Frame frame)
    {
        if (loop.Condition is not IBinaryOperation { LeftOperand: ILocalReferenceOperation { Local: var index } } condition
            || loop.AtLoopBottom.Length != 1 || !frame.Variables.TryGetValue(index, out var start) || start is not ConstValue { Constant: int from })
            return null;
        long step = loop.AtLoopBottom[0] is IExpressionStatementOperation { Operation: var bottom } ? bottom switch
        {
            IIncrementOrDecrementOperation { Target: ILocalReferenceOperation t } inc when SymbolEqualityComparer.Default.Equals(t.Local, index)
                => inc.Kind == OperationKind.Increment ? 1 : -1,
            ICompoundAssignmentOperation { Target: ILocalReferenceOperation t, Value.ConstantValue: { HasValue: true, Value: int by } } ca
                when SymbolEqualityComparer.Default.Equals(t.Local, index) && ca.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract
                => ca.OperatorKind == BinaryOperatorKind.Add ? by : -(long)by,
            _ => 0,
        } : 0;
        if (step == 0 || Read(condition.RightOperand).Contains(index, SymbolEqualityComparer.Default)) return null;
        Value bound;
        // Read as part of the condition: a non-constant bound is DL0005 at the condition, as when unrolling.
        var outer = _loopCondition;
        _loopCondition = loop.Condition.Syntax;
        try { bound = Eval(condition.RightOperand, frame); }
        catch (ReadException) { return null; }
        catch (PoisonedException) { return null; }
        finally { _loopCondition = outer; }
        if (bound is not ConstValue { Constant: int to }) return null;
        // Steps while the condition holds, moving by step each time (none if it fails at once or never ends).
        long last = condition.OperatorKind switch
        {
            BinaryOperatorKind.LessThan when step > 0 => (long)to - 1,
            BinaryOperatorKind.LessThanOrEqual when step > 0 => to,
            BinaryOperatorKind.GreaterThan when step < 0 => (long)to + 1,
            BinaryOperatorKind.GreaterThanOrEqual when step < 0 => to,
            _ => long.MinValue,
        };
        if (last == long.MinValue) return null;
        long span = step > 0 ? last - from : from - last;
        long steps = span < 0 ? 0 : span / System.Math.Abs(step) + 1;
        long final = from + steps * step;
        if (steps > int.MaxValue || final < int.MinValue || final > int.MaxValue) return null;
        return ((int)steps, index, new ConstValue((int)final, start is ConstValue c ? c.Type : null), from, (int)step);
    }

    private sealed record LoopPlan(int Steps, HashSet<ISymbol> LoopVariables, Dictionary<ISymbol, Value> Final)
    {
        /// <summary>Where the body reads the step index (Interpreter.IndexSites.cs), by location.</summary>
        public Dictionary<LocationInfo, IndexSite> Sites { get; init; } = new();
    }

    /// <summary>The loop's step count and the loop variables' values after it, when the loop can become a loop node.</summary>
    private LoopPlan? PlanLoop(IForLoopOperation loop, Frame frame)
    {
        if (loop.Condition is null) return null;
        var loopVariables = new HashSet<ISymbol>(loop.Locals, SymbolEqualityComparer.Default);
        foreach (var op in loop.Before.Concat(loop.AtLoopBottom))
            loopVariables.UnionWith(Written(op));
        var bodyWrites = new HashSet<ISymbol>(Written(loop.Body), SymbolEqualityComparer.Default);
        if (Read(loop.Condition).Concat(loop.AtLoopBottom.SelectMany(Read)).Any(bodyWrites.Contains)) return null;
        bool readsIndex = Read(loop.Body).Any(loopVariables.Contains);

        if (CountCanonical(loop, frame) is { } counted)
        {
            if (counted.Steps <= MaxUnrolledLoop || counted.Steps > MaxLoopSteps) return null;
            // A body reading the index only to pick the step's slice (or to write the step's output) is still the same each step.
            var sites = readsIndex ? IndexSites(loop, loopVariables, counted.Index, counted.From, counted.Step, counted.Steps) : new();
            return sites is null ? null
                : new LoopPlan(counted.Steps, loopVariables, new Dictionary<ISymbol, Value>(frame.Variables, SymbolEqualityComparer.Default) { [counted.Index] = counted.Final })
                    { Sites = sites };
        }
        if (readsIndex) return null;

        var saved = new Dictionary<ISymbol, Value>(frame.Variables, SymbolEqualityComparer.Default);
        try
        {
            for (int steps = 0; ; steps++)
            {
                // All headers run step by step share one budget (a loop inside an unrolled loop is counted each time).
                if (++_headerSteps > MaxCountedSteps) return null; // unrolling stops a loop too long with DL0011
                if ((steps & 1023) == 0) _cancellation.ThrowIfCancellationRequested();
                if (EvalLoopCondition(loop.Condition, frame) is not ConstValue { Constant: bool go }) return null;
                if (!go)
                    return steps <= MaxUnrolledLoop ? null
                        : new LoopPlan(steps, loopVariables, new Dictionary<ISymbol, Value>(frame.Variables, SymbolEqualityComparer.Default));
                if (steps >= MaxLoopSteps) return null;
                foreach (var step in loop.AtLoopBottom)
                    Eval(step is IExpressionStatementOperation e ? e.Operation : step, frame);
            }
        }
        catch (ReadException) { return null; }     // unrolling reports it at the same place
        catch (PoisonedException) { return null; }
        finally
        {
            frame.Variables.Clear();
            foreach (var kv in saved) frame.Variables[kv.Key] = kv.Value;
        }
    }

    private static bool Same(Value a, Value b) => ReferenceEquals(a, b) || (a, b) switch
    {
        (TensorValue x, TensorValue y) => x.Op == y.Op,
        (LabelsValue x, LabelsValue y) => x.Op == y.Op,
        (ConstValue x, ConstValue y) => Equals(x.Constant, y.Constant),
        (TupleValue x, TupleValue y) => x.Items.Length == y.Items.Length && x.Items.Zip(y.Items, Same).All(s => s),
        _ => false,
    };

    private static Dictionary<ISymbol, Value> Snapshot(Frame frame) => new(frame.Variables, SymbolEqualityComparer.Default);

    /// <summary>Locals and parameters an operation refers to.</summary>
    private static IEnumerable<ISymbol> Read(IOperation operation) =>
        operation.DescendantsAndSelf().Select(o => o switch
        {
            ILocalReferenceOperation l => (ISymbol?)l.Local,
            IParameterReferenceOperation p => p.Parameter,
            _ => null,
        }).Where(s => s is not null).Select(s => s!);

    /// <summary>Locals and parameters an operation assigns.</summary>
    private static IEnumerable<ISymbol> Written(IOperation operation) =>
        operation.DescendantsAndSelf().Select(o => o switch
        {
            ISimpleAssignmentOperation a => a.Target,
            ICompoundAssignmentOperation a => a.Target,
            IIncrementOrDecrementOperation i => i.Target,
            IDeconstructionAssignmentOperation d => d.Target, // (h, c) = ...: every local in the tuple
            _ => null,
        }).Where(t => t is ILocalReferenceOperation or IParameterReferenceOperation or ITupleOperation or IDeclarationExpressionOperation)
        .SelectMany(t => Read(t!));
}
