using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// Save refuses to write what Load would refuse to read (one set of limits, <see cref="CheckpointLimits"/>), and a
/// refused save leaves the previous checkpoint exactly as it was: an atomic save of an unreadable file would
/// replace a good checkpoint with one that can never load.
/// </summary>
public class SaveLimitTests
{
    [Fact]
    public void A_metadata_value_beyond_the_header_limit_is_refused_and_the_previous_file_survives()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = FakeModel.Mlp();
        Checkpoint.Save(path, model, step: 1);
        byte[] good = File.ReadAllBytes(path);

        var huge = new Dictionary<string, string> { ["notes"] = new string('x', (int)CheckpointLimits.MaxHeaderBytes) };
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, model, step: 2, metadata: huge));

        Assert.StartsWith($"{path}: not saved: its header would be at least 100000", e.Message);
        Assert.Contains("beyond the 100000000-byte limit", e.Message);
        AssertUntouched(folder, path, good);
    }

    [Fact]
    public void Escapes_that_push_the_header_past_the_limit_are_counted()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        // 20 M control characters are 20 MB of text but 120 MB of JSON escapes (\u0001).
        var escaped = new Dictionary<string, string> { ["notes"] = new string('\u0001', 20_000_000) };

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, FakeModel.Mlp(), metadata: escaped));

        var size = System.Text.RegularExpressions.Regex.Match(e.Message,
            "^" + System.Text.RegularExpressions.Regex.Escape(path) + @": not saved: its header would be (\d+) bytes, beyond the 100000000-byte limit of safetensors readers \(this one included\); keep large data out of the metadata$");
        Assert.True(size.Success, e.Message);
        Assert.InRange(long.Parse(size.Groups[1].Value), 120_000_000, 120_001_000);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void The_largest_header_save_writes_is_one_load_reads()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = new FakeModel(("w", new[] { 1 }));
        // Grow a value until the header is within a few bytes of the limit: it must still load.
        var note = new Dictionary<string, string> { ["notes"] = new string('y', (int)CheckpointLimits.MaxHeaderBytes - 400) };
        Checkpoint.Save(path, model, metadata: note);
        Assert.InRange(new FileInfo(path).Length, CheckpointLimits.MaxHeaderBytes - 400, CheckpointLimits.MaxHeaderBytes + 12);
        Assert.Equal(note["notes"], Checkpoint.Load(path, model).Metadata["notes"]);
    }

    [Theory]
    [InlineData("metadata value")]
    [InlineData("metadata key")]
    [InlineData("parameter name")]
    public void A_lone_surrogate_which_UTF_8_cannot_carry_is_refused(string where)
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        const string broken = "half \ud800 a pair";
        var model = where == "parameter name" ? new FakeModel((broken, new[] { 2 })) : FakeModel.Mlp();
        Checkpoint.Save(path, new FakeModel(("w", new[] { 2 })));
        byte[] good = File.ReadAllBytes(path);
        var metadata = where switch
        {
            "metadata value" => new Dictionary<string, string> { ["note"] = broken },
            "metadata key" => new Dictionary<string, string> { [broken] = "x" },
            _ => null,
        };

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, model, metadata: metadata));

        Assert.StartsWith($"{path}: not saved: the ", e.Message);
        Assert.EndsWith("holds a lone UTF-16 surrogate, which a UTF-8 header cannot carry", e.Message);
        AssertUntouched(folder, path, good);
    }

    [Fact]
    public void A_tensor_of_more_dimensions_than_Load_accepts_is_refused()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = new FakeModel(("deep", Enumerable.Repeat(1, CheckpointLimits.MaxRank + 1).ToArray()));

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, model));

        Assert.Equal($"{path}: not saved: deep has 65 dimensions, more than the 64 Load accepts", e.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
        // The limit itself is fine both ways.
        var widest = new FakeModel(("deep", Enumerable.Repeat(1, CheckpointLimits.MaxRank).ToArray()));
        Checkpoint.Save(path, widest);
        Checkpoint.Load(path, widest);
    }

    private static void AssertUntouched(TempFolder folder, string path, byte[] good)
    {
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(new[] { Path.GetFileName(path) }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }
}
