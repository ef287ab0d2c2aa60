using System;
using System.IO;
using System.Linq;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>
/// Where a run writes is checked before anything is read or trained: a plot over the checkpoint (saved or resumed),
/// an output over a data file, or a target that cannot be written is refused with one line naming the user's path,
/// and no file changes.
/// </summary>
public class OutputFileTests
{
    [Theory]
    [InlineData("same")]
    [InlineData("dot segments")]
    [InlineData("symbolic link")]
    public void Save_and_plot_naming_one_file_are_refused(string spelling)
    {
        using var dir = new TempFolder();
        string save = dir.File("run.safetensors");
        string plot = Spell(dir, save, spelling);

        var run = SampleRun.Of("--epochs", "1", "--save", save, "--plot", plot);

        run.Refused(2, $"--save {save} and --plot {plot} name the same file");
        Assert.Equal("", run.Output);
        Assert.False(File.Exists(save));
    }

    [Theory]
    [InlineData("same")]
    [InlineData("dot segments")]
    [InlineData("symbolic link")]
    public void Resume_and_plot_naming_one_file_are_refused_and_the_checkpoint_survives(string spelling)
    {
        using var dir = new TempFolder();
        string path = dir.File("run.safetensors");
        SampleRun.Of("--epochs", "2", "--stop-after", "1", "--save", path, "--no-plot").Succeeded();
        byte[] before = File.ReadAllBytes(path);
        string plot = Spell(dir, path, spelling);

        var run = SampleRun.Of("--resume", path, "--plot", plot);

        run.Refused(2, $"--resume {path} and --plot {plot} name the same file");
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_and_resume_naming_one_file_is_the_usual_continuation()
    {
        Assert.True(OutputFiles.SameFile("a/b/../c.safetensors", "a/c.safetensors"));
        Assert.False(OutputFiles.SameFile("a/c.safetensors", "a/c.png"));
    }

    // Relative, so the argument itself starts with '@' (the current folder, like the default plot's test).
    [Fact]
    public void A_file_name_starting_with_an_at_sign_is_a_file_not_a_response_file()
    {
        const string save = "@mnist-test-run.safetensors";
        File.Delete(save);
        try
        {
            SampleRun.Of("--epochs", "1", "--save", save, "--no-plot").Succeeded();

            Assert.Single(Trainer.ReadCurve(Path.GetFullPath(save)));
        }
        finally
        {
            File.Delete(save);
        }
    }

    [Theory]
    [InlineData("--save")]
    [InlineData("--plot")]
    public void An_output_over_a_data_file_is_refused(string option)
    {
        using var data = new DataCopy();
        string target = data.File(DataCopy.TrainLabels);
        byte[] before = File.ReadAllBytes(target);

        var run = option == "--save"
            ? SampleRun.Of("--data", data.Dir, "--epochs", "1", "--save", target, "--no-plot")
            : SampleRun.Of("--data", data.Dir, "--epochs", "1", "--plot", target);

        run.Refused(2, $"{option} {target} is one of the data files the run reads");
        Assert.Equal(before, File.ReadAllBytes(target));
    }

    [Fact]
    public void A_folder_as_the_save_target_is_found_before_training()
    {
        using var dir = new TempFolder();
        string target = dir.File("runs");
        Directory.CreateDirectory(target);

        var run = SampleRun.Of("--epochs", "1", "--save", target, "--no-plot");

        run.Refused(2, $"--save {target}: cannot write there: it is a folder");
        Assert.Equal("", run.Output);   // not one epoch, not even the data
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    // /proc takes no new files, even from root: an unwritable folder on any Linux machine, whoever runs the tests.
    [Theory]
    [InlineData("--save")]
    [InlineData("--plot")]
    public void An_unwritable_target_is_found_before_training_and_named_as_given(string option)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self")) return;
        const string target = "/proc/mnist-run.out";

        var run = option == "--save" ? SampleRun.Of("--epochs", "1", "--save", target, "--no-plot") : SampleRun.Of("--epochs", "1", "--plot", target);

        run.Refused(2, $"{option} {target}: cannot write there: the folder /proc takes no new files");
        Assert.DoesNotContain(".tmp-", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    private static string Spell(TempFolder dir, string file, string spelling)
    {
        switch (spelling)
        {
            case "same": return file;
            case "dot segments": return Path.Combine(dir.Path, "sub", "..", Path.GetFileName(file));
            default:
                string link = dir.File("link.png");
                File.CreateSymbolicLink(link, file);
                return link;
        }
    }
}
