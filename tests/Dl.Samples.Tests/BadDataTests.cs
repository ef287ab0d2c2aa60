using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dl.Checkpoints;
using Mnist;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Dl.Samples.Tests;

/// <summary>
/// Every kind of bad data file, given to every sample (and to Inference both when classifying and with --train), ends in
/// exit code 1 and one line on stderr that names the file and what is wrong with it, never a stack trace.
/// </summary>
public class BadDataTests
{
    /// <summary>The runs that read data: the sample, which files it is given bad (train or t10k), and its arguments.</summary>
    private static readonly (string Name, string Sample, string Prefix)[] Runs =
    {
        ("lenet", "lenet", "train"), ("adversarial", "adversarial", "t10k"), ("inference", "inference", "t10k"), ("inference --train", "inference", "train"),
        ("transfer", "transfer", "train"), ("transfer t10k", "transfer", "t10k"),
        ("autoencoder", "autoencoder", "train"), ("autoencoder t10k", "autoencoder", "t10k"),
    };

    public static IEnumerable<object[]> Cases() =>
        from run in Runs from damage in TestDigits.Damages select new object[] { run.Name, damage };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_data_file_is_one_line_naming_it(string run, string damage)
    {
        using var dir = new TempFolder();
        var (_, sample, prefix) = Runs.Single(r => r.Name == run);
        string data = dir.File("data");
        string[] expected = TestDigits.WriteDamaged(data, prefix, damage);

        var result = SampleRun.Of(sample, Arguments(run, data, dir));

        result.FailedWith(1, expected);
    }

    [Theory]
    [InlineData("lenet")]
    [InlineData("adversarial")]
    [InlineData("inference")]
    [InlineData("inference --train")]
    [InlineData("transfer")]
    [InlineData("autoencoder")]
    public void A_missing_data_folder_is_one_line_naming_it(string run)
    {
        using var dir = new TempFolder();
        string missing = dir.File("no-such-folder");

        var result = SampleRun.Of(Runs.Single(r => r.Name == run).Sample, Arguments(run, missing, dir));

        result.FailedWith(1, $"--data {missing}: no such folder");
        Assert.False(Directory.Exists(dir.File("out")), "a run that could not start made its --out folder");
    }

    /// <summary>A short run over <paramref name="data"/>; Inference classifies with a checkpoint written here (the data fails first).</summary>
    internal static string[] Arguments(string run, string data, TempFolder dir)
    {
        switch (run)
        {
            case "lenet":
            case "adversarial":
                return new[] { "--epochs", "1", "--data", data };
            case "transfer":
            case "transfer t10k":
                return new[] { "--pretrain-epochs", "1", "--epochs", "1", "--per-class", "1", "--data", data, "--out", dir.File("out") };
            case "autoencoder":
            case "autoencoder t10k":
                return new[] { "--epochs", "1", "--vae-epochs", "1", "--data", data, "--out", dir.File("out") };
            case "inference --train":
                return new[] { "--train", "--epochs", "1", "--weights", dir.File("trained.safetensors"), "--data", data };
            default:
                string weights = dir.File("weights.safetensors");
                Checkpoint.Save(weights, new MnistMlp(seed: 1), metadata: new Dictionary<string, string> { ["input.mean"] = "0.13", ["input.std"] = "0.31" });
                return new[] { "--weights", weights, "--repeat", "0", "--data", data };
        }
    }
}
