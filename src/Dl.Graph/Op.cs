using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>Coarse op families; passes decide by family where they can (fusion, folding).</summary>
public enum OpClass
{
    /// <summary>Inputs, parameters, constants: no inputs of their own.</summary>
    Source,
    /// <summary>One output element from the same-index elements of the inputs (after broadcasting).</summary>
    Elementwise,
    /// <summary>Reduces or expands along axes.</summary>
    Reduction,
    /// <summary>Matrix products.</summary>
    Contraction,
    /// <summary>Moves data without arithmetic (reshape, transpose).</summary>
    Layout,
    /// <summary>Row-wise normalisations (softmax) and losses.</summary>
    Composite,
}

/// <summary>
/// The one definition of an op: its shape rule, its meaning (the reference evaluator in double
/// precision) and its vector-Jacobian product written as graph ops. Attributes live on the op
/// instance; an op's identity is structural (its type and every field, see <see cref="OpIdentity"/>),
/// so no attribute can be left out of it. <see cref="Key"/> is only its text.
/// </summary>
public abstract class Op
{
    public abstract string Name { get; }
    public abstract OpClass Class { get; }

    /// <summary>The op's attributes as text, e.g. <c>axes=[1]</c>, for graph dumps and names (identity does not depend on it).</summary>
    public virtual string Attributes => "";

    public string Key => Attributes.Length == 0 ? Name : Name + "{" + Attributes + "}";

    /// <summary>For an elementwise op, the run-time operator struct that computes it in float; null for every other op.</summary>
    public virtual ElementwiseOperator? Operator => null;

    /// <summary>
    /// Whether the op's float formula is a long chain of dependent steps around an exp or a log polynomial
    /// (sigmoid, tanh, GELU, pow...). Fusion keeps a value it would store from a loop that then runs such
    /// a chain on it in a loop of its own (Dl.Compiler's Fusion.GroupElementwise).
    /// </summary>
    public virtual bool IsTranscendental => false;

    /// <summary>
    /// The multiply-adds one application does, as Count · N^BatchPower (N the batch size): zero except for
    /// products and convolutions. What a model's cost report (Dl.Compiler CostReport) sums.
    /// </summary>
    public virtual (long Count, int BatchPower) MultiplyAdds(IReadOnlyList<Node> inputs, Shape output) => (0, 0);

    /// <summary>Output shape and type from input shapes and types; throws <see cref="ShapeException"/>.</summary>
    public abstract (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs);

    /// <summary>The reference semantics, in double precision.</summary>
    public abstract TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context);

    /// <summary>
    /// Gradients of the inputs given the gradient of the output, as graph nodes (null where an
    /// input has no gradient, e.g. integer labels). Only called for nodes on a path to the loss.
    /// </summary>
    public abstract IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient);

    public override string ToString() => Key;
    public sealed override bool Equals(object? obj) => obj is Op other && OpIdentity.Equal(this, other);
    // Ops are immutable, so the structural hash is computed once (Op's own fields are not part of identity).
    private int _hash;
    public sealed override int GetHashCode() => _hash != 0 ? _hash : (_hash = OpIdentity.Hash(this) | 1);
}

/// <summary>
/// Run-time facts the reference evaluator needs: the batch size, and for mode-dependent ops whether
/// the model is training (batch statistics, dropout) plus the seed and step that fix dropout masks.
/// </summary>
public sealed class EvalContext
{
    public EvalContext(int batch, bool training = true, int seed = 0, long step = 0)
    {
        Batch = batch;
        Training = training;
        Seed = seed;
        Step = step;
    }

    public int Batch { get; }
    /// <summary>True (the default, as gradients are taken) for training mode, false for inference.</summary>
    public bool Training { get; }
    /// <summary>The model's seed: with <see cref="Step"/> it fixes every dropout mask.</summary>
    public int Seed { get; }
    /// <summary>How many training steps ran before this one (dropout draws a fresh mask per step).</summary>
    public long Step { get; }
}
