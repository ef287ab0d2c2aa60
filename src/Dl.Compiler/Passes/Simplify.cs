using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Rewrites a graph into a fresh builder with constant folding and algebraic identities applied.
/// Common subexpressions are shared by the builder's interning, and dead code is dropped because
/// only what the roots depend on is copied: together these are CSE, DCE and folding.
/// </summary>
public static class Simplify
{
    /// <summary>Returns the map from old nodes to their simplified counterparts in <paramref name="target"/>.</summary>
    public static Dictionary<Node, Node> Run(GraphBuilder target, IEnumerable<Node> roots)
    {
        // Import works inputs-first, so each rewrite sees already simplified inputs.
        return target.Import(roots, Rewrite);
    }

    private static Node? Rewrite(GraphBuilder g, Node old, Node[] x)
    {
        switch (old.Op)
        {
            case MulOp:
                if (IsConst(x[1], 1) && x[0].Shape.Equals(old.Shape)) return x[0];
                if (IsConst(x[0], 1) && x[1].Shape.Equals(old.Shape)) return x[1];
                if ((IsConst(x[0], 0) || IsConst(x[1], 0))) return g.Constant(0, old.Shape);
                break;
            case AddOp:
                if (IsConst(x[1], 0) && x[0].Shape.Equals(old.Shape)) return x[0];
                if (IsConst(x[0], 0) && x[1].Shape.Equals(old.Shape)) return x[1];
                break;
            case SubOp:
                if (IsConst(x[1], 0) && x[0].Shape.Equals(old.Shape)) return x[0];
                break;
            case DivOp:
                if (IsConst(x[1], 1) && x[0].Shape.Equals(old.Shape)) return x[0];
                break;
            case NegOp when x[0].Op is NegOp:
                return x[0][0];
            case ScaleOp s when x[0].Op is ScaleOp inner:
                return g.Scale(x[0][0], s.Factor * inner.Factor, s.BatchPower + inner.BatchPower);
            case ScaleOp s when x[0].Op is ConstantOp c && s.BatchPower == 0:
                return g.Constant(c.Value * s.Factor, old.Shape);
            case BroadcastToOp when x[0].Op is ConstantOp c:
                return g.Constant(c.Value, old.Shape);
            case ReshapeOp when x[0].Op is ConstantOp c:
                return g.Constant(c.Value, old.Shape);
            case SumToOp when x[0].Op is ConstantOp c:
            {
                // Each output element sums |in|/|out| copies of c; each batch axis summed away leaves a factor N.
                var folded = g.Constant(c.Value * ((double)x[0].Shape.StaticCount / old.Shape.StaticCount), old.Shape);
                return g.Scale(folded, 1, x[0].Shape.BatchRank - old.Shape.BatchRank);
            }
        }

        // Fold an elementwise op whose inputs are all uniform constants (batch-independent math only).
        if (old.Op is BinaryOp bin && x.All(i => i.Op is ConstantOp))
            return g.Constant(bin.Apply(((ConstantOp)x[0].Op).Value, ((ConstantOp)x[1].Op).Value), old.Shape);
        if (old.Op is UnaryOp un && old.Op is not ScaleOp && x[0].Op is ConstantOp uc)
            return g.Constant(un.Apply(uc.Value, new EvalContext(1)), old.Shape);
        return null;
    }

    private static bool IsConst(Node n, double value) => n.Op is ConstantOp c && c.Value == value;
}
