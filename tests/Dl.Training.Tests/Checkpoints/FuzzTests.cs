using Dl.Tests;
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// Thousands of seeded random changes to a valid checkpoint (a model with Adam's state): each load gives back
/// exactly the parameters, optimizer state, step, learning rate and metadata that were saved, or throws
/// <see cref="CheckpointException"/> leaving the model and optimizer as they were; never anything else, never
/// corrupt values loaded silently, never slowly. Rewrites that keep the meaning (whitespace, escapes, key order,
/// as another JSON writer would produce) must load.
/// </summary>
public class FuzzTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _log;

    public FuzzTests(Xunit.Abstractions.ITestOutputHelper log) => _log = log;

    private const int Cases = 3000;
    private const string JsonAlphabet = "{}[]\":,0123456789 -.eE\\u/abF3";
    private static readonly HashSet<string> MeaningKept = new() { "whitespace", "escape", "reorder" };

    [Fact]
    public async Task Random_mutations_load_exactly_or_throw_CheckpointException_only()
    {
        using var folder = new TempFolder();
        string original = folder.File("original.safetensors"), path = folder.File("fuzz.safetensors");
        var source = FakeModel.Mlp(seed: 3);
        var adam = new Adam(0.003f);
        var random0 = new SeededRandom(7);
        for (int s = 0; s < 2; s++)
        {
            for (int i = 0; i < source.GradientArray.Length; i++) source.GradientArray[i] = (float)random0.NextNormal();
            adam.Step(source);
        }
        var note = new Dictionary<string, string> { ["note"] = "fuzz" };
        Checkpoint.Save(original, source, adam, note);
        byte[] valid = File.ReadAllBytes(original);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);

        int loaded = 0, rejected = 0;
        var kinds = new Dictionary<string, int>();
        var model = FakeModel.Mlp();
        // The whole run is bounded from outside, so a hang fails the test instead of stalling it.
        var run = Task.Run(() =>
        {
            for (int c = 0; c < Cases; c++)
            {
                int seed = 1000 + c;
                var random = new Random(seed);
                var (bytes, kind) = Mutate(valid, headerEnd, random);
                string where = $"case {c} (seed {seed}, {kind})";
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                File.WriteAllBytes(path, bytes);
                model.ParameterArray.AsSpan().Fill(-9);
                // The cases take turns: with the optimizer, without, and non-strict (LoadOptions), so every load path
                // meets every kind of damage.
                var optimizer = c % 3 == 0 ? new Adam(0.5f) : null;
                bool nonStrict = c % 3 == 2;
                // Work, not wall time: on a loaded machine a 10 ms load can wait seconds for a core (ThreadCpuTime).
                var clock = ThreadCpuTime.Now();
                try
                {
                    if (nonStrict) AssertNonStrictSameAsSaved(where, source, model, Checkpoint.Load(path, model, new LoadOptions { Strict = false }));
                    else AssertSameAsSaved(where, source, adam, note, model,
                        optimizer is null ? Checkpoint.Load(path, model) : Checkpoint.Load(path, model, optimizer), optimizer);
                    loaded++;
                }
                catch (CheckpointException e)
                {
                    rejected++;
                    if (MeaningKept.Contains(kind))
                        throw new Xunit.Sdk.XunitException($"{where}: a rewrite that keeps the meaning was refused: {e.Message}");
                    if (model.ParameterArray.Any(p => p != -9))
                        throw new Xunit.Sdk.XunitException($"{where}: the model changed although the load failed");
                    if (optimizer is { } o && (o.StepCount != 0 || o.State.Count != 0 || o.LearningRate != 0.5f))
                        throw new Xunit.Sdk.XunitException($"{where}: the optimizer changed although the load failed");
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    throw new Xunit.Sdk.XunitException($"{where}: {e.GetType().Name}: {e.Message}");
                }
                var worked = ThreadCpuTime.Now() - clock;
                if (worked > TimeSpan.FromSeconds(1))
                    throw new Xunit.Sdk.XunitException($"{where} worked {worked.TotalMilliseconds:F0} ms");
            }
        });
        // WaitAsync throws TimeoutException if a load hangs. The whole run is ~4 s of work; loads that work too long
        // fail above, so this bound only has to catch a load that never returns, even on a machine so loaded that the
        // run took over 60 s of wall time (seen with four builds on two cores).
        await run.WaitAsync(TimeSpan.FromSeconds(600));

        _log.WriteLine($"{loaded} loaded, {rejected} rejected; " + string.Join(", ", kinds.Select(k => $"{k.Key}: {k.Value}")));
        // Both outcomes must occur, or the mutations are not exercising the reader.
        Assert.Equal(Cases, loaded + rejected);
        Assert.InRange(loaded, Cases / 20, Cases - Cases / 10);
        Assert.Equal(12, kinds.Count);
    }

    /// <summary>What a load returned must be what was saved, bit for bit; anything else is corruption loaded silently.</summary>
    private static void AssertSameAsSaved(string where, FakeModel source, Adam saved, Dictionary<string, string> note, FakeModel model,
        CheckpointState state, Adam? optimizer)
    {
        void Same(string what, float[] expected, float[] actual)
        {
            if (expected.Length != actual.Length || !expected.Zip(actual).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second)))
                throw new Xunit.Sdk.XunitException($"{where}: loaded without error but {what} differs from what was saved");
        }
        Same("the parameters", source.ParameterArray, model.ParameterArray);
        foreach (var slot in saved.SlotNames)
        {
            if (!state.OptimizerState.TryGetValue(slot, out var values))
                throw new Xunit.Sdk.XunitException($"{where}: loaded without error but optimizer slot {slot} is missing");
            Same("optimizer slot " + slot, saved.State[slot], values);
            if (optimizer != null) Same("the optimizer's slot " + slot, saved.State[slot], optimizer.State[slot]);
        }
        if (state.Step != saved.StepCount || (optimizer != null && (optimizer.StepCount != saved.StepCount || optimizer.LearningRate != saved.LearningRate)))
            throw new Xunit.Sdk.XunitException($"{where}: loaded without error but the step or learning rate differs");
        if (state.Metadata.Count != note.Count || note.Any(kv => !state.Metadata.TryGetValue(kv.Key, out var v) || v != kv.Value))
            throw new Xunit.Sdk.XunitException($"{where}: loaded without error but the metadata differs: {string.Join(",", state.Metadata)}");
    }

    /// <summary>A non-strict load that succeeded must have loaded every parameter exactly and skipped only the optimizer's tensors.</summary>
    private static void AssertNonStrictSameAsSaved(string where, FakeModel source, FakeModel model, LoadReport report)
    {
        if (!source.ParameterArray.Zip(model.ParameterArray).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second)))
            throw new Xunit.Sdk.XunitException($"{where}: a non-strict load succeeded but the parameters differ from what was saved");
        if (report.Missing.Count != 0 || report.Loaded.Count != source.ParameterLayout.Count
            || report.Unexpected.Any(n => !n.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal)))
            throw new Xunit.Sdk.XunitException($"{where}: a non-strict load succeeded but reports missing [{string.Join(",", report.Missing)}], unexpected [{string.Join(",", report.Unexpected)}]");
    }

    internal static (byte[] Bytes, string Kind) Mutate(byte[] valid, int headerEnd, Random random)
    {
        var bytes = new List<byte>(valid);
        int which = random.Next(12);
        switch (which)
        {
            case 0: // bit flip anywhere
                int bit = random.Next(bytes.Count * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                return (bytes.ToArray(), "bit flip");
            case 1: // header byte replaced
                bytes[random.Next(8, headerEnd)] = (byte)random.Next(256);
                return (bytes.ToArray(), "header byte");
            case 2: // data byte replaced: values change, the file stays well formed
                bytes[random.Next(headerEnd, bytes.Count)] = (byte)random.Next(256);
                return (bytes.ToArray(), "data byte");
            case 3: // truncated at a random point
                return (bytes.Take(random.Next(bytes.Count)).ToArray(), "truncation");
            case 4: // length field rewritten: near the truth, or anything
                ulong length = random.Next(2) == 0 ? (ulong)(headerEnd - 8 + random.Next(-16, 17)) : (ulong)random.NextInt64() * 3;
                var field = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(field, length);
                for (int i = 0; i < 8; i++) bytes[i] = field[i];
                return (bytes.ToArray(), "length field");
            case 5: // a JSON-ish character replaced
                bytes[random.Next(8, headerEnd)] = (byte)JsonAlphabet[random.Next(JsonAlphabet.Length)];
                return (bytes.ToArray(), "json char");
            case 6: // a JSON-ish character inserted or a header byte deleted, length field kept
                int at = random.Next(8, headerEnd);
                if (random.Next(2) == 0) bytes.Insert(at, (byte)JsonAlphabet[random.Next(JsonAlphabet.Length)]);
                else bytes.RemoveAt(at);
                return (bytes.ToArray(), "json insert/delete");
            case 7: // a header fragment duplicated with the length field updated to match
                string header = Encoding.UTF8.GetString(valid, 8, headerEnd - 8).TrimEnd(' ');
                int start = random.Next(header.Length), count = random.Next(1, Math.Min(40, header.Length - start) + 1);
                string edited = header.Insert(random.Next(header.Length), header.Substring(start, count));
                byte[] data = valid.AsSpan(headerEnd).ToArray();
                return (RawSafetensors.Bytes(edited, data), "json duplicate");
            case 9: // whitespace between tokens, as a pretty-printer writes it, the length field updated
                return (RawSafetensors.Bytes(MeaningPreserving.AddWhitespace(Header(valid, headerEnd), random), Data(valid, headerEnd)), "whitespace");
            case 10: // characters of strings written as \u escapes
                return (RawSafetensors.Bytes(MeaningPreserving.Escape(Header(valid, headerEnd), random), Data(valid, headerEnd)), "escape");
            case 11: // members in another order, re-serialised by System.Text.Json (an independent JSON writer)
                return (RawSafetensors.Bytes(MeaningPreserving.Reorder(Header(valid, headerEnd), random), Data(valid, headerEnd)), "reorder");
            default: // several mutations stacked
                byte[] current = valid;
                for (int k = 0; k < 3; k++)
                {
                    int b = random.Next(current.Length * 8);
                    current = (byte[])current.Clone();
                    current[b / 8] ^= (byte)(1 << (b % 8));
                }
                return (current.Concat(Enumerable.Repeat((byte)random.Next(256), random.Next(3))).ToArray(), "stacked");
        }
    }

    private static string Header(byte[] valid, int headerEnd) => Encoding.UTF8.GetString(valid, 8, headerEnd - 8).TrimEnd(' ');

    private static byte[] Data(byte[] valid, int headerEnd) => valid.AsSpan(headerEnd).ToArray();
}
