namespace Dl.Runtime.Tests;

/// <summary>
/// Tests that drive the CPU kernels' shared worker pool (<see cref="Dl.Cpu.WorkerPool"/>: the
/// convolutions' batch parts, a product's parts, the SGD update's parts) run one at a time: it
/// serves one caller at a time and a concurrent caller runs alone, so a test running beside another would check a different split (and a different scratch
/// buffer, which matters to the zero-allocation assertions) than the one it means to.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerCollection
{
    public const string Name = "CPU worker pool";
}
