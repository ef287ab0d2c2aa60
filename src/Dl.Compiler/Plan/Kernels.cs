using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// One step of a compiled entry point: computes <see cref="Output"/> (and sometimes a second value)
/// from materialised nodes in <see cref="Reads"/>. The nodes a kernel absorbed (fused) never get a
/// buffer of their own. Kernel names say what they fuse.
/// </summary>
public abstract class Kernel
{
    /// <summary>Nodes whose values this kernel writes to memory.</summary>
    public abstract IReadOnlyList<Node> Writes { get; }
    /// <summary>Materialised nodes this kernel reads.</summary>
    public abstract IReadOnlyList<Node> Reads { get; }
    /// <summary>All graph nodes this kernel computes, in order (for naming and printing).</summary>
    public abstract IReadOnlyList<Node> Fused { get; }

    public string Describe() => string.Join("_", Fused.Select(n => n.Op.Name));

    /// <summary>Fused ops named in full in <see cref="MethodName"/>; a longer chain names these and how many more.</summary>
    public const int NamedOps = 6;

    /// <summary>
    /// The generated method's name: what it computes, the fused ops and the shape written, e.g.
    /// <c>MatMul_BiasAdd_Relu_Nx128</c> (see <see cref="KernelNames"/>). A long elementwise chain
    /// (300 additions) is named by its first ops and a count, <c>Add_Add_Add_Add_Add_Add_294More_Nx8</c>,
    /// so names stay short and readable and within the metadata limit.
    /// </summary>
    public string MethodName() => KernelNames.For(Fused);
}

/// <summary>C = op(A)·op(B) with an epilogue: + bias, activation, or × step(mask) (ReLU backward).</summary>
public sealed class GemmKernel : Kernel
{
    public GemmKernel(Node matMul, Node a, bool transA, Node b, bool transB, Node? bias, Node? activation, Node? reluMask, IReadOnlyList<Node> fused)
    {
        MatMul = matMul; A = a; TransA = transA; B = b; TransB = transB; Bias = bias; Activation = activation; ReluMask = reluMask; FusedNodes = fused;
    }

    public Node MatMul { get; }
    public Node A { get; }
    public bool TransA { get; }
    public Node B { get; }
    public bool TransB { get; }
    public Node? Bias { get; }
    /// <summary>The unary node applied in the store (any unary op: its operator struct is the GEMM's type argument); null for none.</summary>
    public Node? Activation { get; }
    public Node? ReluMask { get; }
    public IReadOnlyList<Node> FusedNodes { get; }
    public Node Output => FusedNodes[FusedNodes.Count - 1];

    public override IReadOnlyList<Node> Writes => new[] { Output };
    public override IReadOnlyList<Node> Reads => new[] { A, B, Bias, ReluMask }.Where(n => n is not null).Select(n => n!).ToList();
    public override IReadOnlyList<Node> Fused => FusedNodes;
}

/// <summary>How a leaf of an elementwise group is indexed, the group viewed as [rows, cols].</summary>
public enum Access { Full, Row, Column, Scalar, Window }

/// <summary>
/// A leaf of an elementwise group and how it is read. A <see cref="Access.Column"/> leaf holds one
/// value per row; when it varies only over the root's axes [<see cref="From"/>, split) (a per-channel
/// vector over [N,C,H,W] rows of H·W), row r reads element r mod (product of those axes). A
/// <see cref="Access.Window"/> leaf is a slice read in place: the group uses <see cref="Through"/> (a
/// Slice of <see cref="Leaf"/> along the split axis), and row r, column j reads Leaf[r·Stride + Offset + j].
/// </summary>
public sealed record LeafAccess(Node Leaf, Access Access, int From = 0, Node? Through = null, long Offset = 0, long Stride = 0)
{
    /// <summary>The node the group's ops read: the slice for a window, else the leaf itself.</summary>
    public Node Operand => Through ?? Leaf;
}

/// <summary>
/// A chain of elementwise ops computed in one pass, vectorised, no intermediates in memory except
/// the <see cref="ExtraOutputs"/>: values of the chain that something after it also reads (an LSTM's
/// gates, kept for the backward pass), stored by the same pass instead of by a pass of their own.
/// </summary>
public sealed class ElementwiseKernel : Kernel
{
    public ElementwiseKernel(Node output, IReadOnlyList<Node> body, IReadOnlyList<LeafAccess> leaves, int split)
    {
        Output = output; Body = body; Leaves = leaves; Split = split;
    }

    public Node Output { get; }
    /// <summary>The fused nodes in evaluation order; the last is <see cref="Output"/>.</summary>
    public IReadOnlyList<Node> Body { get; }
    /// <summary>Materialised inputs and how each is indexed (constants are inlined, not leaves).</summary>
    public IReadOnlyList<LeafAccess> Leaves { get; }
    /// <summary>The loop runs over [rows, cols] = [root axes before Split, root axes from Split on]; Split = 0 is one flat loop.</summary>
    public int Split { get; }

    /// <summary>
    /// When set, the output is a piece of this Concat (along the split axis) and is written in place:
    /// row r, column j of the output goes to Into[r·IntoStride + IntoOffset + j]; the piece has no storage of its own.
    /// </summary>
    public Node? Into { get; init; }
    public long IntoOffset { get; init; }
    public long IntoStride { get; init; }

    /// <summary>
    /// Body nodes besides <see cref="Output"/> that the loop also stores, each with the output's shape and
    /// at the output's own index (never into a concat): every reader outside the group runs after it.
    /// </summary>
    public IReadOnlyList<Node> ExtraOutputs { get; init; } = new Node[0];

    public override IReadOnlyList<Node> Writes => new[] { Into ?? Output }.Concat(ExtraOutputs).ToList();
    public override IReadOnlyList<Node> Reads => Leaves.Select(l => l.Leaf).ToList();
    public override IReadOnlyList<Node> Fused => Body;
}

/// <summary>
/// Softmax and cross-entropy in one pass over the logits: the loss (mean -log p[label]) and,
/// when training, its gradient (softmax - onehot) · scale, without materialising softmax.
/// </summary>
public sealed class SoftmaxCrossEntropyKernel : Kernel
{
    public SoftmaxCrossEntropyKernel(Node logits, Node labels, Node? loss, Node? gradient, ScaleOp? gradientScale, IReadOnlyList<Node> fused)
    {
        Logits = logits; Labels = labels; Loss = loss; Gradient = gradient; GradientScale = gradientScale; FusedNodes = fused;
    }

    public Node Logits { get; }
    public Node Labels { get; }
    public Node? Loss { get; }
    public Node? Gradient { get; }
    public ScaleOp? GradientScale { get; }
    public IReadOnlyList<Node> FusedNodes { get; }

    public override IReadOnlyList<Node> Writes => new[] { Loss, Gradient }.Where(n => n is not null).Select(n => n!).ToList();
    public override IReadOnlyList<Node> Reads => new[] { Logits, Labels };
    public override IReadOnlyList<Node> Fused => FusedNodes;
}

/// <summary>A node computed on its own by a runtime primitive or an emitted loop (reductions, softmax, losses, layout).</summary>
public sealed class SingleKernel : Kernel
{
    public SingleKernel(Node node) => Node = node;
    public Node Node { get; }
    public override IReadOnlyList<Node> Writes => new[] { Node };
    public override IReadOnlyList<Node> Reads => Node.Inputs;
    public override IReadOnlyList<Node> Fused => new[] { Node };
}

/// <summary>
/// Writes a state's value after a training step (batch norm's new running average) into the
/// model's state array; it runs after every other kernel of the step.
/// </summary>
public sealed class StateUpdateKernel : Kernel
{
    public StateUpdateKernel(Node source, Node state) { Source = source; State = state; }
    public Node Source { get; }
    public Node State { get; }
    public override IReadOnlyList<Node> Writes => new Node[0];
    public override IReadOnlyList<Node> Reads => Source.Op is ConstantOp ? new Node[0] : new[] { Source, State };
    public override IReadOnlyList<Node> Fused => new[] { Source };
}

/// <summary>Copies (or fills, for a constant) a parameter's gradient into its slot when the value lives elsewhere.</summary>
public sealed class GradientCopyKernel : Kernel
{
    public GradientCopyKernel(Node source, Node parameter) { Source = source; Parameter = parameter; }
    public Node Source { get; }
    public Node Parameter { get; }
    public override IReadOnlyList<Node> Writes => new Node[0];
    public override IReadOnlyList<Node> Reads => Source.Op is ConstantOp ? new Node[0] : new[] { Source };
    public override IReadOnlyList<Node> Fused => new[] { Source };
}
