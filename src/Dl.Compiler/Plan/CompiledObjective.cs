using System.Collections.Generic;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// One <c>[Objective]</c> compiled: the entry point that computes its loss and the gradients of the parameters it
/// trains (no others), the inputs that entry takes (Forward's, then the objective's own) and the parameter slots it
/// trains, which <c>Train{Name}</c> hands the optimizer as ranges.
/// </summary>
public sealed class CompiledObjective
{
    public CompiledObjective(string name, EntryPoint gradients, IReadOnlyList<Node> inputs, IReadOnlyList<ParameterSlot> trains)
    {
        Name = name;
        Gradients = gradients;
        Inputs = inputs;
        Trains = trains;
    }

    public string Name { get; }
    public EntryPoint Gradients { get; }
    public IReadOnlyList<Node> Inputs { get; }
    public IReadOnlyList<ParameterSlot> Trains { get; }
}
