using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Dl.Tests;

namespace Dl.Distributed.Tests;

/// <summary>
/// <c>mpirun -np 2 dotnet Mnist.dll --distributed</c>: the sample's report, once (rank 0's), and the numbers of one
/// process with the same global batch.
/// </summary>
[Collection(MpiCollection.Name)]
public sealed partial class SampleTests
{
    private static readonly string Configuration = typeof(SampleTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
    private static readonly string Sample = RepositoryRoot.Combine("samples", "Mnist", "bin", Configuration, "net10.0", "Mnist.dll");
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);
    private const string Arguments = "--batch 64 --epochs 1 --no-plot";

    [MpiFact]
    public void TwoRanks_PrintOneReport_WithTheSingleProcessNumbers()
    {
        var one = Mpirun.Start("dotnet", $"\"{Sample}\" {Arguments}", Limit, null);
        Assert.True(one.ExitCode == 0, one.ToString());
        var two = Mpirun.Program(2, Sample, "--distributed " + Arguments, Limit);
        Assert.True(two.ExitCode == 0, two.ToString());

        Assert.Contains("distributed: 2 MPI ranks", two.Output);
        // Open MPI hands rank 0 a terminal, so .NET writes its keypad escape and the sample draws its live progress bar
        // ("epoch 1/1 7/113 [=   ]"): the report's lines are counted with escapes removed, the epoch's by its summary.
        string report = Escape().Replace(two.Output, "");
        foreach (var line in new[] { "data:", "optimizer:", "epoch 1/1  train loss", "test set confusion matrix", "mnist_test_accuracy", "mnist_wall_time" })
            Assert.True(Count(report, line) == 1, $"'{line}' printed {Count(report, line)} times:\n{two}");
        // The global batch's loss and accuracy, summed over the ranks: one process's to float rounding.
        Assert.Equal(Number(TrainLoss(), one.Output), Number(TrainLoss(), two.Output), 3);
        Assert.Equal(Number(TestAccuracy(), one.Output), Number(TestAccuracy(), two.Output), 1);
    }

    private static int Count(string text, string line) =>
        text.Split('\n').Count(l => l.StartsWith(line, StringComparison.Ordinal));

    private static double Number(Regex pattern, string text)
    {
        var match = pattern.Match(text);
        Assert.True(match.Success, $"no {pattern} in:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\x1B(\[[0-9;?]*[A-Za-z]|[=>])")]
    private static partial Regex Escape();

    [GeneratedRegex(@"epoch 1/1  train loss ([0-9.]+)")]
    private static partial Regex TrainLoss();

    [GeneratedRegex(@"mnist_test_accuracy ([0-9.]+) %")]
    private static partial Regex TestAccuracy();
}
