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
/// Thousands of seeded random corruptions of a valid checkpoint: each load succeeds or throws
/// <see cref="CheckpointException"/> (leaving the model as it was), never anything else, never slowly.
/// </summary>
public class FuzzTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _log;

    public FuzzTests(Xunit.Abstractions.ITestOutputHelper log) => _log = log;

    private const int Cases = 3000;
    private const string JsonAlphabet = "{}[]\":,0123456789 -.eE\\u/abF3";

    [Fact]
    public async Task Random_mutations_load_or_throw_CheckpointException_only()
    {
        using var folder = new TempFolder();
        string original = folder.File("original.safetensors"), path = folder.File("fuzz.safetensors");
        var source = FakeModel.Mlp(seed: 3);
        var m = Enumerable.Range(0, 23).Select(i => (float)i).ToArray();
        Checkpoint.Save(original, source, new Dictionary<string, float[]> { ["m"] = m }, step: 77,
            metadata: new Dictionary<string, string> { ["note"] = "fuzz" });
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
                var random = new Random(1000 + c);
                var (bytes, kind) = Mutate(valid, headerEnd, random);
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                File.WriteAllBytes(path, bytes);
                model.ParameterArray.AsSpan().Fill(-9);
                var clock = Stopwatch.StartNew();
                try
                {
                    Checkpoint.Load(path, model);
                    loaded++;
                }
                catch (CheckpointException)
                {
                    rejected++;
                    if (model.ParameterArray.Any(p => p != -9))
                        throw new Xunit.Sdk.XunitException($"case {c} ({kind}): the model changed although the load failed");
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"case {c} ({kind}): {e.GetType().Name}: {e.Message}");
                }
                if (clock.ElapsedMilliseconds > 1000)
                    throw new Xunit.Sdk.XunitException($"case {c} ({kind}) took {clock.ElapsedMilliseconds} ms");
            }
        });
        // WaitAsync throws TimeoutException if a load hangs.
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        _log.WriteLine($"{loaded} loaded, {rejected} rejected; " + string.Join(", ", kinds.Select(k => $"{k.Key}: {k.Value}")));
        // Both outcomes must occur, or the mutations are not exercising the reader.
        Assert.Equal(Cases, loaded + rejected);
        Assert.InRange(loaded, Cases / 20, Cases - Cases / 10);
        Assert.Equal(9, kinds.Count);
    }

    private static (byte[] Bytes, string Kind) Mutate(byte[] valid, int headerEnd, Random random)
    {
        var bytes = new List<byte>(valid);
        int which = random.Next(9);
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
}
