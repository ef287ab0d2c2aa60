using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// One value of the graph: an op applied to input nodes. Immutable and interned by
/// <see cref="GraphBuilder"/>, so two structurally equal subgraphs are the same object
/// (common-subexpression elimination for free). Ids follow creation order, which is a
/// topological order.
/// </summary>
public sealed class Node
{
    internal Node(int id, Op op, IReadOnlyList<Node> inputs, Shape shape, DType type)
    {
        Id = id;
        Op = op;
        Inputs = inputs;
        Shape = shape;
        Type = type;
    }

    public int Id { get; }
    public Op Op { get; }
    public IReadOnlyList<Node> Inputs { get; }
    public Shape Shape { get; }
    public DType Type { get; }

    public Node this[int input] => Inputs[input];

    public override string ToString() =>
        $"%{Id} = {Op}({string.Join(", ", Inputs.Select(i => "%" + i.Id))}) : {Shape}{(Type == DType.Int32 ? " i32" : "")}";
}
