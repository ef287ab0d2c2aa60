using System;
using System.Diagnostics;
using System.Globalization;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// The child process of the crash test: saves a large checkpoint over the same path again and again,
/// announcing each save on stdout, until the test kills it.
/// </summary>
/// <remarks>
/// Save number i (1, 2, ...) fills every parameter with i and records step i, so a reader can tell a whole file
/// (all values equal to the step) from a torn one.
/// </remarks>
internal static class CrashWriter
{
    public const string Flag = "--crash-writer";

    public static int Run(string[] args)
    {
        if (args.Length != 3 || args[0] != Flag)
        {
            Console.Error.WriteLine($"usage: Dl.Training.Tests {Flag} <path> <floats>");
            return 2;
        }
        string path = args[1];
        int floats = int.Parse(args[2], CultureInfo.InvariantCulture);
        var model = Model(floats);
        var clock = Stopwatch.StartNew();
        // Bounded so an orphaned writer cannot run forever if the test dies first.
        for (int i = 1; i <= 1000 && clock.Elapsed < TimeSpan.FromMinutes(2); i++)
        {
            model.ParameterArray.AsSpan().Fill(i);
            long start = clock.ElapsedTicks;
            Checkpoint.Save(path, model, step: i);
            Console.Out.WriteLine($"saved {i} in {(clock.ElapsedTicks - start) * 1000.0 / Stopwatch.Frequency:F1} ms");
        }
        return 0;
    }

    /// <summary>The model both processes agree on: one big tensor and one small one.</summary>
    public static FakeModel Model(int floats) => new(("big", new[] { floats }), ("tag", new[] { 4 }));
}
