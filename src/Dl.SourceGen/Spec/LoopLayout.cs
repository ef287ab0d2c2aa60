using System.Collections.Generic;
using System.Linq;

namespace Dl.SourceGen.Spec;

/// <summary>What a <see cref="OpSpec.LoopOp"/> op stands for: one value the loop produces.</summary>
internal enum LoopResultKind
{
    /// <summary>A carried variable's value after the last step (<see cref="LoopLayout.ResultIndex"/> = the carry).</summary>
    Final = 0,
    /// <summary>A per-step output stacked over all steps in time order, along <see cref="LoopLayout.ResultArgument"/> (Nn.Stack's axis).</summary>
    Stacked = 1,
    /// <summary>A per-step output at one time step (<see cref="LoopLayout.ResultArgument"/>): an element of the array it was written to.</summary>
    Step = 2,
}

/// <summary>
/// The attributes of a <see cref="OpSpec.LoopOp"/> op, as the reader writes and the lowering reads them
/// (both through here, so the two never disagree). Offsets into the body count from its first op.
/// <list type="bullet">
/// <item><see cref="CarryOuts"/>: each carry's value after a step.</item>
/// <item><see cref="CarryUses"/>: (op, operand, carry) for each read of a carry's value before the step.</item>
/// <item><see cref="Slices"/>: (op, first index, stride) for each Select or Slice of a sequence by the step
/// index: the op reads entry <c>first + stride·s</c> at step s (stride ±1), and becomes a slice slot of the loop.</item>
/// <item><see cref="Outputs"/>: body ops whose value at every step is read after the loop (an array written per step).</item>
/// </list>
/// </summary>
internal sealed record LoopLayout(
    int Steps, int BodyStart, int BodyLength, bool Reverse,
    IReadOnlyList<int> CarryOuts, IReadOnlyList<(int Op, int Operand, int Carry)> CarryUses,
    IReadOnlyList<(int Op, int First, int Stride)> Slices, IReadOnlyList<int> Outputs)
{
    public LoopResultKind Result { get; init; }
    public int ResultIndex { get; init; }
    public int ResultArgument { get; init; }

    public int Carries => CarryOuts.Count;

    /// <summary>The op's Ints when it sits at <paramref name="at"/> in the spec and the body starts at absolute <see cref="BodyStart"/>.</summary>
    public EquatableArray<int> Encode(int at)
    {
        var ints = new List<int> { Steps, (int)Result, ResultIndex, ResultArgument, at - BodyStart, BodyLength, Reverse ? 1 : 0, CarryOuts.Count };
        ints.AddRange(CarryOuts);
        ints.Add(CarryUses.Count);
        foreach (var (op, operand, carry) in CarryUses) ints.AddRange(new[] { op, operand, carry });
        ints.Add(Slices.Count);
        foreach (var (op, first, stride) in Slices) ints.AddRange(new[] { op, first, stride });
        ints.Add(Outputs.Count);
        ints.AddRange(Outputs);
        return ints.ToEquatableArray();
    }

    /// <summary>The layout of the Loop op at <paramref name="at"/> (<see cref="BodyStart"/> absolute).</summary>
    public static LoopLayout Decode(IReadOnlyList<int> ints, int at)
    {
        int k = 7;
        List<int> Take(int n) { var list = ints.Skip(k).Take(n).ToList(); k += n; return list; }
        var carryOuts = Take(ints[k++]);
        var uses = new List<(int, int, int)>();
        for (int n = ints[k++]; n > 0; n--) { var t = Take(3); uses.Add((t[0], t[1], t[2])); }
        var slices = new List<(int, int, int)>();
        for (int n = ints[k++]; n > 0; n--) { var t = Take(3); slices.Add((t[0], t[1], t[2])); }
        var outputs = Take(ints[k++]);
        return new LoopLayout(ints[0], at - ints[4], ints[5], ints[6] != 0, carryOuts, uses, slices, outputs)
            { Result = (LoopResultKind)ints[1], ResultIndex = ints[2], ResultArgument = ints[3] };
    }
}
