namespace Dl.Training.Tests;

/// <summary>Entry point used only when the test assembly runs as the crash-test writer process.</summary>
internal static class Program
{
    public static int Main(string[] args) => Checkpoints.CrashWriter.Run(args);
}
