using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Dl;

/// <summary>
/// Run-time freezing, per parameter tensor: a frozen parameter keeps its values through the generated <c>TrainStep</c>
/// and every toolkit optimizer's <c>Step(model)</c>, whatever its place in the layout, and its optimizer state does not
/// advance. Gradients are still computed for it (freeze at build time to drop them). The parameters that stay trainable
/// are kept as ranges of the parameter array, rebuilt on each <see cref="Freeze"/> or <see cref="Unfreeze"/>, so a step
/// allocates nothing. The GPU backend's updates do not read it.
/// </summary>
public static class Freezing
{
    private static readonly ConditionalWeakTable<ICompiledModel, FrozenSet> s_frozen = new();

    /// <summary>
    /// Freezes the parameter named <paramref name="nameOrPrefix"/> ("features.conv1.weight"), or every parameter under
    /// that path ("features" freezes "features.conv1.weight", "features.conv1.bias", ...); returns how many are frozen now.
    /// </summary>
    /// <exception cref="ArgumentException">No parameter has that name or lies under that path; the message lists the names.</exception>
    public static int Freeze(this ICompiledModel model, string nameOrPrefix) => Set(model, nameOrPrefix, frozen: true);

    /// <summary>
    /// Freezes <paramref name="nameOrPrefix"/> (as <see cref="Freeze"/>) for good: what the generated constructor calls for
    /// each parameter under a <c>[Frozen]</c> field, whose gradient the generated code does not compute, so that optimizers
    /// skip it too. <see cref="Unfreeze"/> then refuses it and <see cref="UnfreezeAll"/> leaves it frozen.
    /// </summary>
    /// <exception cref="ArgumentException">No parameter has that name or lies under that path.</exception>
    public static void FreezeAtBuildTime(this ICompiledModel model, string nameOrPrefix)
    {
        Set(model, nameOrPrefix, frozen: true);
        var set = s_frozen.TryGetValue(model, out var s) ? s : throw new InvalidOperationException("the frozen set was not recorded");
        for (int i = 0; i < set.Layout.Count; i++)
            if (Matches(set.Layout[i].Name, nameOrPrefix)) set.Built[i] = true;
    }

    /// <summary>Makes the parameters <paramref name="nameOrPrefix"/> names (as <see cref="Freeze"/>) trainable again; returns how many stay frozen.</summary>
    /// <exception cref="InvalidOperationException">One of them is frozen at build time (<c>[Frozen]</c>): it has no gradient to train with.</exception>
    public static int Unfreeze(this ICompiledModel model, string nameOrPrefix) => Set(model, nameOrPrefix, frozen: false);

    /// <summary>Makes every parameter trainable again.</summary>
    public static void UnfreezeAll(this ICompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!s_frozen.TryGetValue(model, out var set)) return;
        // What [Frozen] froze stays frozen: the generated code computes no gradient for it.
        for (int i = 0; i < set.Frozen.Length; i++) set.Frozen[i] = set.Built[i];
        if (set.Rebuild() == 0) s_frozen.Remove(model);
    }

    /// <summary>Whether the parameter named <paramref name="name"/> is frozen.</summary>
    public static bool IsFrozen(this ICompiledModel model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(name);
        var layout = model.ParameterLayout;
        for (int i = 0; i < layout.Count; i++)
            if (layout[i].Name == name) return s_frozen.TryGetValue(model, out var set) && set.Frozen[i];
        throw new ArgumentException($"the model has no parameter '{name}'", nameof(name));
    }

    /// <summary>
    /// The parts of the parameter array to update, as (offset, length) ranges in order, when some parameter is frozen;
    /// null when none is (update everything). Read on every step: no allocation.
    /// </summary>
    public static IReadOnlyList<(int Offset, int Length)>? TrainableRanges(ICompiledModel model) => Trainable(model);

    /// <summary><see cref="TrainableRanges"/> as the array the updates index (a foreach over the interface would allocate).</summary>
    internal static (int Offset, int Length)[]? Trainable(ICompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return s_frozen.TryGetValue(model, out var set) ? set.Trainable : null;
    }

    /// <summary>
    /// The overlap of two lists of (offset, length) ranges, each in order and disjoint: the parts of an objective's
    /// parameters that are not frozen (<see cref="TrainableRanges"/>), for an update of those only.
    /// </summary>
    public static (int Offset, int Length)[] Overlap(IReadOnlyList<(int Offset, int Length)> a, IReadOnlyList<(int Offset, int Length)> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var both = new List<(int, int)>();
        for (int i = 0, j = 0; i < a.Count && j < b.Count;)
        {
            int start = Math.Max(a[i].Offset, b[j].Offset), end = Math.Min(a[i].Offset + a[i].Length, b[j].Offset + b[j].Length);
            if (end > start) both.Add((start, end - start));
            if (a[i].Offset + a[i].Length < b[j].Offset + b[j].Length) i++; else j++;
        }
        return both.ToArray();
    }

    /// <summary>
    /// Throws when some parameter of <paramref name="model"/> is frozen: called by updates that cannot skip parts of the
    /// parameters yet (the GPU backend's), so a frozen tensor is never trained by one of them without a word.
    /// </summary>
    /// <exception cref="NotSupportedException">A parameter is frozen; the message names <paramref name="where"/>.</exception>
    public static void RequireNoneFrozen(ICompiledModel model, string where)
    {
        if (Trainable(model) is not null)
            throw new NotSupportedException($"{where} updates every parameter, and some of this model's are frozen: train it on the CPU (TrainStep or an optimizer's Step(model)), or UnfreezeAll first");
    }

    private static int Set(ICompiledModel model, string nameOrPrefix, bool frozen)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(nameOrPrefix);
        var layout = model.ParameterLayout;
        if (!s_frozen.TryGetValue(model, out var set))
        {
            if (!frozen) { CheckMatches(layout, nameOrPrefix); return 0; }
            set = new FrozenSet(layout, model.Parameters.Length);
        }
        CheckMatches(layout, nameOrPrefix);
        for (int i = 0; i < layout.Count; i++)
            if (!frozen && set.Built[i] && Matches(layout[i].Name, nameOrPrefix))
                throw new InvalidOperationException($"'{layout[i].Name}' is frozen at build time ([Frozen] on its field): the generated code computes no gradient for it, so it cannot train; remove [Frozen] and rebuild to fine-tune it");
        for (int i = 0; i < layout.Count; i++)
            if (Matches(layout[i].Name, nameOrPrefix)) set.Frozen[i] = frozen;
        int count = set.Rebuild();
        if (count == 0) s_frozen.Remove(model);
        else s_frozen.AddOrUpdate(model, set);
        return count;
    }

    private static bool Matches(string name, string nameOrPrefix) =>
        name == nameOrPrefix || (name.Length > nameOrPrefix.Length && name[nameOrPrefix.Length] == '.' && name.StartsWith(nameOrPrefix, StringComparison.Ordinal));

    private static void CheckMatches(IReadOnlyList<ParameterInfo> layout, string nameOrPrefix)
    {
        foreach (var p in layout)
            if (Matches(p.Name, nameOrPrefix)) return;
        var names = new List<string>();
        foreach (var p in layout) names.Add(p.Name);
        throw new ArgumentException($"no parameter is named '{nameOrPrefix}' or lies under it; the model has {string.Join(", ", names)}", nameof(nameOrPrefix));
    }

    /// <summary>One model's frozen flags (by layout index) and the ranges left to train.</summary>
    private sealed class FrozenSet
    {
        private readonly int _storageLength;

        public FrozenSet(IReadOnlyList<ParameterInfo> layout, int storageLength)
        {
            Layout = layout;
            Frozen = new bool[layout.Count];
            Built = new bool[layout.Count];
            _storageLength = storageLength;
        }

        public IReadOnlyList<ParameterInfo> Layout { get; }
        public bool[] Frozen { get; }
        /// <summary>Frozen at build time ([Frozen]): never unfrozen.</summary>
        public bool[] Built { get; }
        public (int Offset, int Length)[] Trainable { get; private set; } = Array.Empty<(int, int)>();

        /// <summary>
        /// Recomputes <see cref="Trainable"/>: neighbouring trainable parameters merge into one range (through the
        /// alignment padding between them, whose values and gradients are zero), so few ranges remain. Returns the frozen count.
        /// </summary>
        public int Rebuild()
        {
            var order = new List<int>();
            for (int i = 0; i < Layout.Count; i++) order.Add(i);
            order.Sort((a, b) => Layout[a].Offset.CompareTo(Layout[b].Offset));
            var ranges = new List<(int Offset, int Length)>();
            int frozenCount = 0, start = -1, end = -1;
            foreach (int i in order)
            {
                var p = Layout[i];
                if (Frozen[i])
                {
                    frozenCount++;
                    if (start >= 0) ranges.Add((start, end - start));
                    start = -1;
                    continue;
                }
                if (start < 0) start = p.Offset;
                end = Math.Min(_storageLength, p.Offset + p.Length);
            }
            if (start >= 0) ranges.Add((start, end - start));
            Trainable = ranges.ToArray();
            return frozenCount;
        }
    }
}
