using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// The reference evaluator: runs a graph node by node in double precision. It defines what every
/// op means; compiled code is tested against it. It is never used to run a compiled model.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates every node <paramref name="roots"/> depend on. <paramref name="bind"/> supplies the
    /// value of each input, parameter, state and carried state node.
    /// </summary>
    public static Dictionary<Node, TensorValue> Run(IEnumerable<Node> roots, Func<Node, TensorValue> bind, int batch) =>
        Run(roots, bind, new EvalContext(batch));

    /// <summary>As above, in the mode (training or inference, dropout seed and step) <paramref name="context"/> gives.</summary>
    public static Dictionary<Node, TensorValue> Run(IEnumerable<Node> roots, Func<Node, TensorValue> bind, EvalContext context)
    {
        int batch = context.Batch;
        var values = new Dictionary<Node, TensorValue>();
        foreach (var node in GraphBuilder.Topological(roots))
        {
            TensorValue value = node.Op is InputOp or ParamOp or StateOp or CarriedStateOp or LoopSlotOp
                ? bind(node)
                : node.Op.Evaluate(node.Inputs.Select(i => values[i]).ToList(), context);
            var expected = node.Shape.Resolve(batch);
            if (!value.Dims.SequenceEqual(expected))
                throw new InvalidOperationException($"{node}: evaluated to [{string.Join(",", value.Dims)}], expected [{string.Join(",", expected)}]");
            values[node] = value;
        }
        return values;
    }
}
