using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>The compiler's front door: a model graph in, a compiled plan and the generated C# source out.</summary>
public static class ModelCompiler
{
    /// <summary>
    /// Differentiates, simplifies, fuses, plans memory and emits the CPU source for one model.
    /// Throws <see cref="ShapeException"/> for a graph error found late (the front end reports it).
    /// </summary>
    public static string Generate(ModelGraph model, ModelDeclaration declaration) =>
        CpuEmitter.Emit(Compile(model), declaration);

    public static CompiledModel Compile(ModelGraph model)
    {
        var g = model.Builder;
        var parameters = model.Parameters;
        // [Frozen] parameters get no gradient anywhere: their weight-gradient products never enter the graph.
        var frozen = new HashSet<Node>(model.Frozen);
        var trainable = parameters.Where(p => !frozen.Contains(p)).ToList();
        var objectiveTrains = model.Objectives.Select(o => o.Trains.Where(p => !frozen.Contains(p)).ToList()).ToList();
        var states = model.States;

        // 0. Modes (see Dl.Graph.Modes): the training entry points run the graph as it trains (batch
        //    statistics, dropout), Predict and InputGradient as it infers. Specialising imports into
        //    the same builder, so a model with no mode-dependent layer gets back its own nodes.
        //    A stateful recurrent layer's final states (carried to the next call) exist in both modes.
        var carriedUpdates = model.CarriedUpdates;
        var trainMap = Modes.Specialise(g, model.Roots.Concat(model.StateUpdates.Select(u => u.Value)).Concat(carriedUpdates.Select(u => u.Value)), training: true);
        var evalMap = Modes.Specialise(g, model.Roots.Concat(carriedUpdates.Select(u => u.Value)), training: false);
        var evalOutput = evalMap[model.Output];
        var trainLoss = model.Loss is null ? null : trainMap[model.Loss];
        var evalLoss = model.Loss is null ? null : evalMap[model.Loss];

        // 1. Reverse-mode autodiff: gradients of the training loss for every parameter, and of the
        //    inference loss for the inputs that asked for one (adversarial examples attack the
        //    deployed model). One pass when both losses are the same node.
        var gradients = new List<Node>();
        var adjoints = new Dictionary<Node, Node>(); // gradient node -> the node it is the gradient of, to name generated storage
        if (trainLoss is not null && evalLoss == trainLoss)
            gradients.AddRange(Autodiff.Gradients(g, trainLoss, trainable.Concat(model.InputsWithGradient).ToList(), adjoints));
        else if (trainLoss is not null)
        {
            gradients.AddRange(Autodiff.Gradients(g, trainLoss, trainable, adjoints));
            if (model.InputsWithGradient.Count > 0) gradients.AddRange(Autodiff.Gradients(g, evalLoss!, model.InputsWithGradient, adjoints));
        }
        // 1b. Backward: the vector-Jacobian product of the training-mode output, for a model inside a loop the
        //     user writes (a GAN's generator, fed the discriminator's input gradient). Its cotangent is an input.
        Node? upstream = null;
        var backGradients = new List<Node>();
        if (trainable.Count > 0 && model.Output.Type == DType.Float32)
        {
            var trainOutput = trainMap[model.Output];
            upstream = g.Input(OutputGradientName(model), trainOutput.Shape);
            var pulled = ReverseMode.Pullback(g, new[] { (trainOutput, upstream) }, trainable, adjoints);
            backGradients.AddRange(trainable.Select(p => pulled.TryGetValue(p, out var d) ? d : g.Constant(0, p.Shape)));
        }
        // 1c. Each [Objective]: the gradients of its training-mode loss for the parameters it trains, and no others.
        var objectiveGradients = model.Objectives.Select((o, i) => (Loss: trainMap[o.Loss], Gradients: Autodiff.Gradients(g, trainMap[o.Loss], objectiveTrains[i], adjoints))).ToList();
        var stateUpdates = model.StateUpdates.Select(u => (u.State, Value: trainMap[u.Value])).ToList();
        var carries = carriedUpdates.Select(u => (u.State, Train: trainMap[u.Value], Eval: evalMap[u.Value])).ToList();

        // 2. Simplify into a fresh graph (folding, identities; CSE by interning; DCE by reachability).
        var roots = new List<Node> { evalOutput };
        if (trainLoss is not null) roots.Add(trainLoss);
        if (evalLoss is not null && evalLoss != trainLoss && model.InputsWithGradient.Count > 0) roots.Add(evalLoss);
        // Gradients last layer first: the depth-first orders below then follow backprop, so each
        // layer's output gradient dies as soon as its weight and bias gradients are taken.
        roots.AddRange(Enumerable.Reverse(gradients));
        roots.AddRange(Enumerable.Reverse(backGradients));
        if (upstream is not null) roots.Add(upstream);
        foreach (var (objectiveLoss, grads) in objectiveGradients) { roots.Add(objectiveLoss); roots.AddRange(grads.Reverse()); }
        roots.AddRange(model.Objectives.SelectMany(o => o.Inputs));
        roots.AddRange(stateUpdates.Select(u => u.Value));
        roots.AddRange(model.Inputs);
        roots.AddRange(parameters);
        roots.AddRange(states);
        roots.AddRange(carries.SelectMany(c => new[] { c.State, c.Train, c.Eval }));
        var clean = new GraphBuilder();
        var map = Simplify.Run(clean, roots);

        var output = map[evalOutput];
        var loss = trainLoss is null ? null : map[trainLoss];
        var inferenceLoss = evalLoss is not null && map.TryGetValue(evalLoss, out var il) ? il : loss;
        var inputs = model.Inputs.Select(i => map[i]).ToList();
        var paramNodes = parameters.Select(p => map[p]).ToList();
        var trainableNodes = trainable.Select(p => map[p]).ToList();
        var paramGradients = gradients.Take(trainable.Count).Select(d => map[d]).ToList();
        var inputGradients = gradients.Skip(trainable.Count).Select(d => map[d]).ToList();
        var inputsWithGradient = model.InputsWithGradient.Select(i => map[i]).ToList();
        var backParamGradients = backGradients.Select(d => map[d]).ToList();
        var frozenNodes = new HashSet<Node>(model.Frozen.Where(map.ContainsKey).Select(f => map[f]));

        // 3. Parameter and state layout: one array each, every tensor 64-byte aligned; gradients like the parameters.
        var slots = Slots(paramNodes, out long offset);
        var stateSlots = Slots(states.Select(s => map[s]).ToList(), out long stateCount);
        // Each tensor fits an int (GraphBuilder checks it where it is made); these sums are the compiler's own.
        TensorLimits.CheckTotal(model.Name, "the parameters", offset);
        TensorLimits.CheckTotal(model.Name, "the running averages", stateCount);
        var paramOffsets = slots.ToDictionary(s => s.Node, s => s.Offset);
        var stateOffsets = stateSlots.ToDictionary(s => s.Node, s => s.Offset);
        var gradientOf = trainableNodes.Zip(paramGradients, (p, d) => (p, d)).ToDictionary(t => t.p, t => t.d);
        var newState = stateUpdates.ToDictionary(u => map[u.State], u => map[u.Value]);
        var carried = carries.Select(c => map[c.State]).ToList();
        var carriedTrain = carries.ToDictionary(c => map[c.State], c => map[c.Train]);
        var carriedEval = carries.ToDictionary(c => map[c.State], c => map[c.Eval]);

        // 4. Fusion and memory planning, once per generated method.
        //    Every entry point carries the stateful layers' final states to the next call, in its own mode.
        EntryPoint Plan(string name, IReadOnlyList<Node> entryRoots, IReadOnlyDictionary<Node, Node> grads, IReadOnlyDictionary<Node, Node> carry,
            IReadOnlyDictionary<Node, Node>? updates = null) =>
            MemoryPlanner.Plan(name, Loops.Group(Fusion.Lower(entryRoots.Concat(updates?.Values ?? Enumerable.Empty<Node>()).Concat(carry.Values).Distinct().ToList())),
                entryRoots, paramOffsets, grads, stateOffsets, updates, carried, carry);

        var none = new Dictionary<Node, Node>();
        var predict = Plan("Predict", new[] { output }, none, carriedEval);
        EntryPoint? evaluate = null, train = null, inputGrad = null;
        if (loss is not null)
        {
            evaluate = Plan("Evaluate", new[] { loss }, none, carriedTrain);
            train = Plan("ComputeGradients", new[] { loss }.Concat(Enumerable.Reverse(paramGradients)).Distinct().ToList(), gradientOf, carriedTrain, newState);
            if (inputGradients.Count > 0)
                inputGrad = Plan("InputGradient", new[] { inferenceLoss! }.Concat(inputGradients).Distinct().ToList(), none, carriedEval);
        }

        var objectives = model.Objectives.Select((o, i) =>
        {
            var objectiveLoss = map[objectiveGradients[i].Loss];
            var trains = objectiveTrains[i].Select(p => map[p]).ToList();
            var grads = objectiveGradients[i].Gradients.Select(d => map[d]).ToList();
            // Only what this loss reaches: another part's batch-norm statistics or carried states are not its to update.
            var reached = new HashSet<Node>(GraphBuilder.Topological(new[] { objectiveLoss }));
            var updates = newState.Where(u => reached.Contains(u.Key)).ToDictionary(u => u.Key, u => u.Value);
            var carry = carriedTrain.Where(c => reached.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value);
            var entry = Plan("Compute" + o.Name + "Gradients", new[] { objectiveLoss }.Concat(Enumerable.Reverse(grads)).Distinct().ToList(),
                trains.Zip(grads, (p, d) => (p, d)).ToDictionary(t => t.p, t => t.d), carry, updates);
            var entryInputs = inputs.Take(model.ForwardInputCount).Concat(o.Inputs.Select(n => map[n])).ToList();
            return new CompiledObjective(o.Name, entry, entryInputs, slots.Where(s => trains.Contains(s.Node)).ToList());
        }).ToList();

        EntryPoint? backward = null;
        if (upstream is not null)
        {
            var backOf = trainableNodes.Zip(backParamGradients, (p, d) => (p, d)).ToDictionary(t => t.p, t => t.d);
            backward = Plan("Backward", Enumerable.Reverse(backParamGradients).Distinct().ToList(), backOf, carriedTrain, newState);
        }

        foreach (var entry in new[] { predict, evaluate, train, inputGrad, backward }.Concat(objectives.Select(o => o.Gradients)).Where(e => e is not null))
            foreach (var (size, power) in entry!.RegionSizes.Select((size, power) => (size, power)))
                TensorLimits.CheckTotal(model.Name, power switch
                {
                    0 => $"{entry.Name}'s working memory independent of the batch",
                    1 => $"{entry.Name}'s working memory per sample",
                    _ => $"{entry.Name}'s working memory per N^{power} (values over every pair of samples)",
                }, size);

        var allRoots = new[] { output }.Concat(loss is null ? new Node[0] : new[] { loss }).Concat(paramGradients).Concat(inputGradients)
            .Concat(inferenceLoss is not null && inferenceLoss != loss && inputGradients.Count > 0 ? new[] { inferenceLoss } : new Node[0])
            .Concat(newState.Values).Concat(carriedTrain.Values).Concat(carriedEval.Values).Concat(backParamGradients)
            .Concat(objectives.SelectMany(o => o.Gradients.Roots)).ToList();
        return new CompiledModel(model, inputs, output, loss, slots, offset, predict, evaluate, train, inputGrad, inputsWithGradient, allRoots)
        {
            States = stateSlots,
            CarriedStates = carried,
            StateCount = stateCount,
            UsesDropout = GraphBuilder.Topological(allRoots).Any(n => n.Op is DropoutMaskOp),
            UsesRandomNormal = GraphBuilder.Topological(allRoots).Any(n => n.Op is RandomNormalOp),
            InputGradientNodes = inputGradients,
            Backward = backward,
            Objectives = objectives,
            Frozen = slots.Where(s => frozenNodes.Contains(s.Node)).ToList(),
            OutputGradient = upstream is null ? null : map[upstream],
            TrainOutput = trainMap.TryGetValue(model.Output, out var trainOut) && map.TryGetValue(trainOut, out var trainOutClean) ? trainOutClean : null,
            GradientOf = GradientNames(adjoints, map),
        };
    }

    /// <summary>The autodiff's gradient nodes after simplification, each with the node it is the gradient of (names in generated code; not semantics).</summary>
    private static Dictionary<Node, Node> GradientNames(Dictionary<Node, Node> adjoints, Dictionary<Node, Node> map)
    {
        var names = new Dictionary<Node, Node>();
        foreach (var pair in adjoints)
            if (map.TryGetValue(pair.Key, out var d) && map.TryGetValue(pair.Value, out var x) && d != x && d.Op is not (ConstantOp or InputOp or ParamOp) && !names.ContainsKey(d))
                names[d] = x;
        return names;
    }

    /// <summary>Backward's cotangent parameter: <c>outputGradient</c>, with underscores added while a model input has that name.</summary>
    private static string OutputGradientName(ModelGraph model)
    {
        var taken = new HashSet<string>(model.Inputs.Select(i => Identifiers.Bare(((InputOp)i.Op).InputName)));
        return Identifiers.Unused("outputGradient", taken);
    }

    private static List<ParameterSlot> Slots(IReadOnlyList<Node> nodes, out long count)
    {
        var slots = new List<ParameterSlot>();
        count = 0;
        foreach (var p in nodes)
        {
            slots.Add(new ParameterSlot(p, count));
            count += (p.Shape.StaticCount + 15) / 16 * 16;
        }
        return slots;
    }
}
