using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// A model as the front end hands it over: its inputs in call order, its forward output, its loss
/// (when it trains), and the inputs whose gradient was asked for (adversarial examples).
/// </summary>
public sealed class ModelGraph
{
    public ModelGraph(string name, GraphBuilder builder, IReadOnlyList<Node> inputs, Node output, Node? loss, IReadOnlyList<Node>? inputsWithGradient = null, int? forwardInputCount = null,
        IReadOnlyList<Objective>? objectives = null, IReadOnlyList<Node>? frozen = null)
    {
        Frozen = frozen ?? Array.Empty<Node>();
        Objectives = objectives ?? Array.Empty<Objective>();
        foreach (var o in Objectives)
            if (o.Loss.Shape.Rank != 0)
                throw new ShapeException(ShapeErrorKind.WrongRank, $"objective {o.Name}'s loss must be a scalar, got shape {o.Loss.Shape}: reduce it with Mean() or Sum()");
        ForwardInputCount = forwardInputCount ?? inputs.Count;
        Name = name;
        Builder = builder;
        Inputs = inputs;
        Output = output;
        Loss = loss;
        InputsWithGradient = inputsWithGradient ?? Array.Empty<Node>();
        if (loss is not null && loss.Shape.Rank != 0)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"the loss must be a scalar, got shape {loss.Shape}: reduce it with Mean() or Sum()");
    }

    public string Name { get; }
    public GraphBuilder Builder { get; }
    /// <summary>Forward's inputs, then the loss's extra inputs (labels, targets).</summary>
    public IReadOnlyList<Node> Inputs { get; }
    /// <summary>How many of <see cref="Inputs"/> belong to Forward (the arguments of Predict).</summary>
    public int ForwardInputCount { get; }
    public Node Output { get; }
    public Node? Loss { get; }
    public IReadOnlyList<Node> InputsWithGradient { get; }
    /// <summary>Parameters frozen at build time ([Frozen]): no gradient is taken for them anywhere.</summary>
    public IReadOnlyList<Node> Frozen { get; }
    /// <summary>More losses, each training only some parameters (a GAN's two players); empty for most models.</summary>
    public IReadOnlyList<Objective> Objectives { get; }

    /// <summary>Parameters reachable from the output or the loss, in creation order.</summary>
    public IReadOnlyList<Node> Parameters =>
        GraphBuilder.Topological(Roots).Where(n => n.Op is ParamOp).OrderBy(n => n.Id).ToList();

    /// <summary>Non-trainable state (running averages) reachable from the output or the loss, in creation order.</summary>
    public IReadOnlyList<Node> States =>
        GraphBuilder.Topological(Roots).Where(n => n.Op is StateOp).OrderBy(n => n.Id).ToList();

    /// <summary>Each reachable state's value after a training step (see <see cref="Modes"/>).</summary>
    public IReadOnlyList<(Node State, Node Value)> StateUpdates
    {
        get
        {
            var states = new HashSet<Node>(States);
            return Builder.StateUpdates.Where(u => states.Contains(u.State)).OrderBy(u => u.State.Id).ToList();
        }
    }

    /// <summary>State carried from call to call (stateful recurrent layers) reachable from the output or the loss, in creation order.</summary>
    public IReadOnlyList<Node> CarriedStates =>
        GraphBuilder.Topological(Roots).Where(n => n.Op is CarriedStateOp).OrderBy(n => n.Id).ToList();

    /// <summary>Each reachable carried state's value after a call, the next call's start (see <see cref="CarriedStateOp"/>).</summary>
    public IReadOnlyList<(Node State, Node Value)> CarriedUpdates
    {
        get
        {
            var states = new HashSet<Node>(CarriedStates);
            return Builder.Carries.Where(u => states.Contains(u.State)).OrderBy(u => u.State.Id).ToList();
        }
    }

    /// <summary>Parameters created while reading the model but used by neither output nor loss.</summary>
    public IEnumerable<Node> UnusedParameters
    {
        get
        {
            var used = new HashSet<Node>(Parameters);
            return Builder.Nodes.Where(n => n.Op is ParamOp && !used.Contains(n));
        }
    }

    public IEnumerable<Node> Roots => (Loss is null ? new[] { Output } : new[] { Output, Loss }).Concat(Objectives.Select(o => o.Loss));
}

/// <summary>
/// One more loss of a model, declared with <c>[Objective]</c>: its scalar <see cref="Loss"/>, the inputs it reads
/// besides Forward's, and the parameters it trains. Gradients of the other parameters are not taken for it.
/// </summary>
public sealed class Objective
{
    public Objective(string name, Node loss, IReadOnlyList<Node> inputs, IReadOnlyList<Node> trains)
    {
        Name = name;
        Loss = loss;
        Inputs = inputs;
        Trains = trains;
    }

    /// <summary>The method's name: the generated members are Train{Name} and Compute{Name}Gradients.</summary>
    public string Name { get; }
    public Node Loss { get; }
    /// <summary>The objective's own inputs, after Forward's, in call order.</summary>
    public IReadOnlyList<Node> Inputs { get; }
    /// <summary>The parameters it trains, in creation order.</summary>
    public IReadOnlyList<Node> Trains { get; }
}
