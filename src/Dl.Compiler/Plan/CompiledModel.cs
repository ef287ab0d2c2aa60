using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>A parameter's place in the parameter (and gradient) array.</summary>
public sealed class ParameterSlot
{
    public ParameterSlot(Node node, long offset)
    {
        Node = node;
        Offset = offset;
    }

    public Node Node { get; }
    /// <summary>The parameter's op; for a state slot, see <see cref="Name"/> and <see cref="Init"/>.</summary>
    public ParamOp Op => (ParamOp)Node.Op;
    public string Name => Node.Op is StateOp s ? s.StateName : Op.ParamName;
    public Init Init => Node.Op is StateOp s ? s.Init : Op.Init;
    public long Offset { get; }
    public long Length => Node.Shape.StaticCount;
}

/// <summary>
/// Everything the emitters need: the simplified training graph, the parameter layout, and one
/// planned entry point per generated method.
/// </summary>
public sealed class CompiledModel
{
    internal CompiledModel(ModelGraph source, IReadOnlyList<Node> inputs, Node output, Node? loss,
        IReadOnlyList<ParameterSlot> parameters, long parameterStorageLength,
        EntryPoint predict, EntryPoint? evaluate, EntryPoint? gradients, EntryPoint? inputGradients,
        IReadOnlyList<Node> inputsWithGradient, IReadOnlyList<Node> allRoots)
    {
        Source = source; Inputs = inputs; Output = output; Loss = loss; Parameters = parameters; ParameterStorageLength = parameterStorageLength;
        Predict = predict; Evaluate = evaluate; Gradients = gradients; InputGradients = inputGradients;
        InputsWithGradient = inputsWithGradient; AllRoots = allRoots;
    }

    public ModelGraph Source { get; }
    public IReadOnlyList<Node> Inputs { get; }
    public Node Output { get; }
    public Node? Loss { get; }
    public IReadOnlyList<ParameterSlot> Parameters { get; }
    /// <summary>Floats in the parameter array: every parameter plus the padding that starts each on a 64-byte boundary.</summary>
    public long ParameterStorageLength { get; }
    /// <summary>The number of parameters: the sum of the parameter tensors' element counts, without padding.</summary>
    public long ParameterCount => Parameters.Sum(p => p.Length);
    public EntryPoint Predict { get; }
    public EntryPoint? Evaluate { get; }
    public EntryPoint? Gradients { get; }
    public EntryPoint? InputGradients { get; }
    public IReadOnlyList<Node> InputsWithGradient { get; }
    /// <summary>
    /// The gradient of each of <see cref="InputsWithGradient"/>, in the same order. Two inputs may share
    /// one node (<c>z * (x + y)</c>: x and y both get z), so find a gradient here, not by its position
    /// among the entry point's roots.
    /// </summary>
    public IReadOnlyList<Node> InputGradientNodes { get; init; } = new Node[0];
    /// <summary>Non-trainable state (running averages), laid out in one array like the parameters.</summary>
    public IReadOnlyList<ParameterSlot> States { get; init; } = new ParameterSlot[0];
    /// <summary>Floats in the state array.</summary>
    public long StateCount { get; init; }
    /// <summary>State carried from call to call by stateful recurrent layers ([N, L·D, H] each); a <see cref="CarriedLocation"/>'s index is its position here.</summary>
    public IReadOnlyList<Node> CarriedStates { get; init; } = new Node[0];
    /// <summary>The training graph draws dropout masks: the model keeps a seed and a step counter.</summary>
    public bool UsesDropout { get; init; }
    /// <summary>The training graph draws normal samples (Nn.RandomNormal), also from the seed and step counter.</summary>
    public bool UsesRandomNormal { get; init; }
    /// <summary>Dropout or random normals: the model keeps a seed and a step counter.</summary>
    public bool DrawsRandom => UsesDropout || UsesRandomNormal;
    /// <summary>Output, loss and every gradient: the whole simplified graph hangs from these.</summary>
    public IReadOnlyList<Node> AllRoots { get; }

    /// <summary>
    /// Backward: the gradients of every parameter for a cotangent of the training-mode output
    /// (<see cref="OutputGradient"/>), so the model can sit inside a loop the user writes. Null for a
    /// model without parameters.
    /// </summary>
    public EntryPoint? Backward { get; init; }
    /// <summary>Backward's cotangent input, shaped like the output.</summary>
    public Node? OutputGradient { get; init; }
    /// <summary>The parameters frozen at build time ([Frozen]): no entry point computes their gradient.</summary>
    public IReadOnlyList<ParameterSlot> Frozen { get; init; } = new ParameterSlot[0];
    /// <summary>The [Objective]s, each with its own gradient entry point.</summary>
    public IReadOnlyList<CompiledObjective> Objectives { get; init; } = new CompiledObjective[0];
    /// <summary>The forward output in training mode (batch statistics, dropout); the same node as <see cref="Output"/> for most models; null without one.</summary>
    public Node? TrainOutput { get; init; }
    /// <summary>Gradient nodes and the node each is the gradient of: generated code names their storage <c>d_</c> and that node's name.</summary>
    public IReadOnlyDictionary<Node, Node> GradientOf { get; init; } = new Dictionary<Node, Node>();
    public IEnumerable<EntryPoint> EntryPoints => new[] { Predict, Evaluate, Gradients, InputGradients, Backward }.Concat(Objectives.Select(o => o.Gradients)).Where(e => e is not null).Select(e => e!);

    /// <summary>Arena floats independent of the batch (the largest any entry point needs).</summary>
    public long FixedArena => ArenaRegions[0];

    /// <summary>Arena floats per batch row.</summary>
    public long PerSampleArena => ArenaRegions[1];

    /// <summary>
    /// Arena floats per N^p for each power p (the largest any entry point needs): fixed, per sample,
    /// then per pair of samples where a value is [N,N]. The regions follow each other in this order.
    /// </summary>
    public IReadOnlyList<long> ArenaRegions =>
        Enumerable.Range(0, EntryPoints.Max(e => e.RegionSizes.Count))
            .Select(p => EntryPoints.Max(e => p < e.RegionSizes.Count ? e.RegionSizes[p] : 0)).ToList();
}
