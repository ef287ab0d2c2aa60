using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dl.SourceGen.Tests;

/// <summary>One fuzz case: which seed model, which mutation (and the random seed that chose it), the mutated source.</summary>
internal sealed record FuzzCase(string Id, string Seed, string Mutation, int RandomSeed, string Source);

/// <summary>
/// The fixed, deterministic case list of the generator fuzz test. Every named mutation of
/// <see cref="FuzzMutations"/> is applied to <see cref="SeedsPerMutation"/> seed models (rotating, so
/// each seed sees a different share), and each seed model also gets <see cref="RandomPerSeed"/>
/// random mutations drawn from <c>new Random(RandomSeedBase + seed index)</c>: literal changes
/// (0, negative, huge), token deletes, statement swaps and duplicates, and statements inserted at a
/// random place. No case is ever dropped: a mutation that does not apply to a seed moves to the next seed.
/// </summary>
internal static class FuzzCorpus
{
    public const int SeedsPerMutation = 2;
    public const int RandomPerSeed = 12;
    public const int RandomSeedBase = 20261202;

    private static readonly string[] Literals =
    {
        "0", "-1", "1", "2", "3", "7", "64", "4095", "4096", "4097", "100000", "int.MaxValue", "(1 << 30)",
        "-2147483648", "65536", "0.5f", "1e30f", "long.MaxValue", "float.NaN", "1e-45f",
    };

    private static readonly string[] RandomStatements =
    {
        "while (false) { }", "var arr = new[] { 1 }; var e = arr[0];", "for (;;) { }", "int z0 = 0; int q0 = 1 / z0;",
        "foreach (var q in new[] { 1 }) { }", "System.Func<int, int> f = v => v;", "for (int i9 = 0; i9 < 4096; i9++) for (int j9 = 0; j9 < 4096; j9++) { }",
        "long m0 = long.MinValue; long d0 = m0 / -1;", "return;", "try { } catch { }",
    };

    public static readonly IReadOnlyList<FuzzCase> Cases = Build();

    public static readonly IReadOnlyDictionary<string, FuzzCase> ById = Cases.ToDictionary(c => c.Id);

    private static List<FuzzCase> Build()
    {
        var seeds = FuzzSeeds.All.Select(s => new FuzzSource(s.Name, s.Source)).ToList();
        var cases = new List<FuzzCase>();
        var mutations = FuzzMutations.All;
        for (int m = 0; m < mutations.Length; m++)
        {
            var (name, apply) = mutations[m];
            int applied = 0;
            for (int k = 0; k < seeds.Count && applied < SeedsPerMutation; k++)
            {
                var seed = seeds[(m * SeedsPerMutation + k) % seeds.Count];
                if (apply(seed) is not { } source) continue;
                cases.Add(new FuzzCase($"{seed.Name}/{name}", seed.Name, name, 0, source));
                applied++;
            }
        }
        for (int s = 0; s < seeds.Count; s++)
        {
            var random = new Random(RandomSeedBase + s);
            for (int i = 0; i < RandomPerSeed; i++)
            {
                var (mutation, source) = RandomMutation(seeds[s], random);
                cases.Add(new FuzzCase($"{seeds[s].Name}/random-{i}", seeds[s].Name, mutation, RandomSeedBase + s, source));
            }
        }
        return cases;
    }

    private static (string Mutation, string Source) RandomMutation(FuzzSource seed, Random random)
    {
        switch (random.Next(5))
        {
            case 0:
            case 1:
            {
                var literals = seed.NumericLiterals;
                var token = literals[random.Next(literals.Count)];
                var value = Literals[random.Next(Literals.Length)];
                return ($"literal '{token.Text}' at {token.SpanStart} -> '{value}'", seed.Replace(token.Span, value));
            }
            case 2:
            {
                var tokens = seed.ModelTokens;
                var token = tokens[random.Next(tokens.Count)];
                return ($"delete token '{token.Text}' at {token.SpanStart}", seed.Replace(token.Span, ""));
            }
            case 3:
            {
                var blocks = seed.Blocks;
                if (blocks.Count == 0) goto case 2;
                var block = blocks[random.Next(blocks.Count)];
                int i = random.Next(block.Statements.Count), j = random.Next(block.Statements.Count - 1);
                if (j >= i) j++;
                var a = block.Statements[i];
                var b = block.Statements[j];
                if (random.Next(2) == 0)
                    return ($"duplicate statement at {a.SpanStart}", seed.InsertAt(a.Span.End, " " + a));
                return ($"swap statements at {a.SpanStart} and {b.SpanStart}", seed.Edit(new[] { (a.Span, b.ToString()), (b.Span, a.ToString()) }));
            }
            default:
            {
                var starts = seed.StatementStarts;
                if (starts.Count == 0) goto case 0;
                int at = starts[random.Next(starts.Count)];
                var statement = RandomStatements[random.Next(RandomStatements.Length)];
                return ($"insert '{statement}' at {at}", seed.InsertAt(at, statement + " "));
            }
        }
    }
}
