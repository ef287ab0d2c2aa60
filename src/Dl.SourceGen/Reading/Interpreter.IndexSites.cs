using System.Collections.Generic;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>Where a loop's body reads its step index.</summary>
internal enum IndexSiteKind
{
    /// <summary><c>x.Select(axis, t)</c>: step t of a sequence, the axis removed.</summary>
    Select,
    /// <summary><c>x.Slice(axis, t, 1)</c>: step t of a sequence, the axis kept (size 1).</summary>
    Slice,
    /// <summary><c>hs[t] = value</c>: a per-step output written to an array.</summary>
    ElementWrite,
}

/// <summary>One place a loop body reads the step index, and the index it computes at every step (in step order).</summary>
internal sealed record IndexSite(IndexSiteKind Kind, int[] Indices)
{
    /// <summary>+1 or -1 when the index moves by one each step; 0 otherwise.</summary>
    public int Stride
    {
        get
        {
            if (Indices.Length < 2) return 0;
            int d = Indices[1] - Indices[0];
            if (d is not (1 or -1)) return 0;
            for (int s = 2; s < Indices.Length; s++)
                if (Indices[s] - Indices[s - 1] != d) return 0;
            return d;
        }
    }
}

/// <summary>
/// The step index inside a loop that becomes a loop node. A body may read the index only to pick the
/// step's entry of a sequence computed before the loop (<c>x.Select(1, t)</c>, <c>x.Select(1, 27 - t)</c>,
/// <c>x.Slice(1, t, 1)</c>, moving by one entry a step, which become the loop's slices) and to write a
/// per-step output (<c>hs[t] = h</c>, which becomes the loop's stacked output). Each index is plain int
/// arithmetic on the index and constants, so the reader computes it for every step at build time; any
/// other use of the index, or an index that jumps (<c>2 * t</c> for a slice), unrolls the loop.
/// </summary>
internal sealed partial class Interpreter
{
    /// <summary>
    /// The places the body reads <paramref name="index"/> (which runs from <paramref name="from"/> by
    /// <paramref name="step"/> for <paramref name="steps"/> steps), by location; null when one of them is
    /// not an index site or another loop variable is read.
    /// </summary>
    private Dictionary<LocationInfo, IndexSite>? IndexSites(IForLoopOperation loop, HashSet<ISymbol> loopVariables, ISymbol index, int from, int step, int steps)
    {
        var sites = new Dictionary<LocationInfo, IndexSite>();
        foreach (var reference in loop.Body.DescendantsAndSelf())
        {
            ISymbol? symbol = reference switch
            {
                ILocalReferenceOperation l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                _ => null,
            };
            if (symbol is null || !loopVariables.Contains(symbol)) continue;
            if (!SymbolEqualityComparer.Default.Equals(symbol, index)) return null;
            var expression = reference;
            while (expression.Parent is { } parent && IsIndexArithmetic(parent)) expression = parent;
            if (Site(expression) is not var (kind, at) || InNestedLoop(at, loop)) return null;
            var location = LocationInfo.From(at.Syntax);
            if (sites.ContainsKey(location)) continue; // the index read twice in one expression
            var indices = new int[steps];
            for (int s = 0; s < steps; s++)
                if (IndexAt(expression, index, from + s * step) is int i) indices[s] = i;
                else return null;
            var site = new IndexSite(kind, indices);
            if (kind != IndexSiteKind.ElementWrite && !(site.Stride != 0 && (kind == IndexSiteKind.Select
                    ? (indices[0] < 0) == (indices[steps - 1] < 0)
                    : indices[0] >= 0 && indices[steps - 1] >= 0)))
                return null; // a slice must walk the sequence entry by entry (negative indices count from its end)
            sites[location] = site;
        }
        return sites;
    }

    /// <summary>The call or element assignment an index expression feeds, when it is an index site.</summary>
    private (IndexSiteKind, IOperation)? Site(IOperation expression)
    {
        switch (expression.Parent)
        {
            case IArgumentOperation { Parameter.Name: var name, Parent: IInvocationOperation call }
                when call.Instance is not null && KnownTypes.Is(call.TargetMethod.ContainingType, Types.Tensor):
                if (call.TargetMethod.Name == "Select" && name == "index") return (IndexSiteKind.Select, call);
                if (call.TargetMethod.Name == "Slice" && name == "start") return (IndexSiteKind.Slice, call);
                return null;
            case IArrayElementReferenceOperation { Indices.Length: 1 } element
                when element.Indices[0] == expression && element.Parent is ISimpleAssignmentOperation assignment && assignment.Target == element:
                return (IndexSiteKind.ElementWrite, element);
            default:
                return null;
        }
    }

    private static bool IsIndexArithmetic(IOperation operation) => operation switch
    {
        IParenthesizedOperation => true,
        IConversionOperation c => c.OperatorMethod is null,
        IBinaryOperation b => b.OperatorMethod is null,
        IUnaryOperation u => u.OperatorMethod is null,
        _ => false,
    };

    private static bool InNestedLoop(IOperation at, IForLoopOperation loop)
    {
        for (var o = at.Parent; o is not null && o != loop; o = o.Parent)
            if (o is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation) return true;
        return false;
    }

    /// <summary>
    /// An index expression's value when the index is <paramref name="value"/>: C#'s checked int
    /// arithmetic on constants and the index only; null for anything else or an overflow (the loop then
    /// unrolls, and unrolling reports what is wrong where it is).
    /// </summary>
    private static int? IndexAt(IOperation expression, ISymbol index, int value)
    {
        object? Fold(IOperation o)
        {
            if (o.ConstantValue.HasValue) return o.ConstantValue.Value;
            return o switch
            {
                ILocalReferenceOperation l when SymbolEqualityComparer.Default.Equals(l.Local, index) => value,
                IParenthesizedOperation p => Fold(p.Operand),
                IConversionOperation c when Fold(c.Operand) is { } v => ConstantEvaluator.Convert(v, c.Type),
                IBinaryOperation b when Fold(b.LeftOperand) is { } l && Fold(b.RightOperand) is { } r => ConstantEvaluator.Binary(b.OperatorKind, l, r, b.Type),
                IUnaryOperation u when Fold(u.Operand) is { } v => ConstantEvaluator.Unary(u.OperatorKind, v, u.Type),
                _ => null,
            };
        }
        try { return Fold(expression) as int?; }
        catch (ConstantArithmeticException) { return null; }
        catch (System.InvalidOperationException) { return null; }
    }
}
