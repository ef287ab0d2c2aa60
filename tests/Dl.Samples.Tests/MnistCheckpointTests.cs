using System;
using System.Diagnostics;
using System.IO;
using Dl.Tests;

namespace Dl.Samples.Tests;

/// <summary>
/// Inference loads what samples/Mnist saves. The Mnist sample runs as its own process (its MnistMlp would clash with
/// the copy Inference compiles in), trains one epoch on a small folder and saves; Inference then classifies the same
/// test digits and must standardise them as Mnist did and predict what Mnist predicted.
/// </summary>
public class MnistCheckpointTests
{
    [Fact]
    public void A_checkpoint_of_samples_Mnist_classifies_as_Mnist_tested_it()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data")), checkpoint = dir.File("mnist.safetensors");
        string mnist = RunMnist(dir.Path, "--epochs", "1", "--save", checkpoint, "--no-plot", "--data", data);

        var run = SampleRun.Of("inference", "--weights", checkpoint, "--repeat", "0", "--data", data).Succeeded();

        // "split: ...; pixels standardised with mean 0.1234, std 0.3086" from Mnist; "scaling: mean 0.1234, std 0.3086, ..." here.
        string standardised = mnist[(mnist.IndexOf("pixels standardised with mean ", StringComparison.Ordinal) + "pixels standardised with ".Length)..];
        standardised = standardised[..standardised.IndexOfAny(new[] { '\r', '\n' })];
        // samples/Mnist now records its scaling (input.mean, input.std), so Inference reads it rather than recomputing it.
        Assert.Equal("scaling: " + standardised + ", input.mean and input.std in the checkpoint", run.Line("scaling: "));
        string mnistAccuracy = Line(mnist, "mnist_test_accuracy ");
        Assert.Equal(mnistAccuracy["mnist_test_accuracy ".Length..], run.Line("mnist_inference_accuracy ")["mnist_inference_accuracy ".Length..]);
    }

    private static string Line(string output, string prefix)
    {
        foreach (string line in output.Split('\n'))
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line.TrimEnd('\r');
        throw new Xunit.Sdk.XunitException($"no line starting '{prefix}' in:\n{output}");
    }

    /// <summary>Runs the built samples/Mnist with <paramref name="args"/>; returns its stdout after checking it succeeded.</summary>
    private static string RunMnist(string workingDirectory, params string[] args)
    {
        string dll = RepositoryRoot.Combine("samples", "Mnist", "bin", Configuration, "net10.0", "Mnist.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built (the test project builds it)");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "samples/Mnist did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"samples/Mnist exited {process.ExitCode}: {stderr.Result}\n{stdout}");
        return stdout;
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
