namespace Dl.Runtime.Tests;

/// <summary>
/// Tests that drive the CPU kernels' shared helper thread (<see cref="Dl.Cpu.HelperThread"/>: the
/// convolutions' batch split, a product's halves, the SGD update's halves) run one at a time: it
/// serves one caller at a time and a concurrent caller runs alone, so a test running beside another would check a different split (and a different scratch
/// buffer, which matters to the zero-allocation assertions) than the one it means to.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerCollection
{
    public const string Name = "CPU helper thread";
}
