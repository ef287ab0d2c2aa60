using System;
using System.IO;
using System.Linq;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// What a save leaves behind and what it says when it cannot write: temporaries of killed writers are removed by
/// the next save (a live writer's are not), <see cref="Checkpoint.EnsureWritable"/> finds an unusable target before
/// any training, and every message names the path the user gave, never the temporary file.
/// </summary>
public class TemporaryFileTests
{
    [Fact]
    public void The_next_save_removes_temporaries_that_killed_writers_left()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        string[] stale = { path + ".tmp-0123456789abcdef", path + ".tmp-fedcba9876543210" };
        foreach (var f in stale) File.WriteAllBytes(f, new byte[100]);
        // Look-alikes that are not this checkpoint's temporaries stay.
        string[] others = { path + ".tmp-notes", path + ".tmp-0123456789ABCDEF", folder.File("other.safetensors.tmp-0123456789abcdef"), path + ".bak" };
        foreach (var f in others) File.WriteAllText(f, "keep");

        Checkpoint.Save(path, FakeModel.Mlp(), step: 1);

        Assert.All(stale, f => Assert.False(File.Exists(f), f));
        Assert.All(others, f => Assert.Equal("keep", File.ReadAllText(f)));
        Assert.Equal(1, Checkpoint.Load(path, FakeModel.Mlp()).Step);
    }

    [Fact]
    public void A_temporary_a_live_writer_holds_open_is_left_alone()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        string live = path + ".tmp-00112233aabbccdd";
        // The way a writer holds its temporary file: opened with FileShare.None, which takes the file's lock.
        using (var writer = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            writer.Write(new byte[10]);
            Checkpoint.Save(path, FakeModel.Mlp(), step: 1);
            Assert.True(File.Exists(live));
        }
        Checkpoint.Save(path, FakeModel.Mlp(), step: 2);
        Assert.False(File.Exists(live));
    }

    [Fact]
    public void EnsureWritable_accepts_a_writable_target_and_leaves_no_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        Checkpoint.EnsureWritable(path);
        Assert.Empty(Directory.GetFiles(folder.Path));

        Checkpoint.Save(path, FakeModel.Mlp(), step: 4);
        byte[] saved = File.ReadAllBytes(path);
        Checkpoint.EnsureWritable(path);
        Assert.Equal(saved, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_folder_as_the_target_is_refused_by_EnsureWritable_and_Save_naming_the_users_path()
    {
        using var folder = new TempFolder();
        string path = folder.File("runs");
        Directory.CreateDirectory(path);

        var early = Assert.Throws<IOException>(() => Checkpoint.EnsureWritable(path));
        var late = Assert.Throws<IOException>(() => Checkpoint.Save(path, FakeModel.Mlp()));

        Assert.Equal($"{path}: cannot write there: it is a folder", early.Message);
        Assert.Equal(early.Message, late.Message);
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public void A_missing_folder_is_refused_by_EnsureWritable_and_Save_naming_the_users_path()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "no-such-folder", "model.safetensors");

        var early = Assert.ThrowsAny<IOException>(() => Checkpoint.EnsureWritable(path));
        var late = Assert.ThrowsAny<IOException>(() => Checkpoint.Save(path, FakeModel.Mlp()));

        Assert.StartsWith(path + ": cannot write there: ", early.Message);
        Assert.Contains("no-such-folder", early.Message);
        Assert.StartsWith(path + ": cannot write there: ", late.Message);
        Assert.DoesNotContain(".tmp-", early.Message + late.Message);
    }

    // /proc takes no new files, even from root: an unwritable folder on any Linux machine, whoever runs the tests.
    [Fact]
    public void A_folder_that_takes_no_files_is_found_before_training_and_named_as_the_user_gave_it()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self")) return;
        const string path = "/proc/model.safetensors";

        var early = Assert.ThrowsAny<Exception>(() => Checkpoint.EnsureWritable(path));
        var late = Assert.ThrowsAny<Exception>(() => Checkpoint.Save(path, FakeModel.Mlp()));

        Assert.True(early is IOException or UnauthorizedAccessException, early.ToString());
        Assert.StartsWith(path + ": cannot write there: ", early.Message);
        Assert.StartsWith(path + ": cannot write there: ", late.Message);
        Assert.DoesNotContain(".tmp-", early.Message + late.Message);
    }
}
