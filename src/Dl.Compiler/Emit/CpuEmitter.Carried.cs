using System.Linq;

namespace Dl.Compiler;

/// <summary>
/// The state stateful recurrent layers carry from one call to the next (see Dl.Graph.CarriedStateOp):
/// one buffer per carried state, sized for the batch of the calls, zeroed when the batch size
/// changes or by <c>ResetState()</c>. A buffer grows only when a larger batch arrives, so a steady
/// training loop allocates nothing.
/// </summary>
public static partial class CpuEmitter
{
    private static bool Carries(CompiledModel m) => m.CarriedStates.Count > 0;

    private static void CarriedMembers(SourceWriter w, CompiledModel model, GeneratedNames g)
    {
        var states = model.CarriedStates;
        w.Line("// The final states of the stateful recurrent layers, each call's start: " + string.Join(", ", states.Select(s => ((Dl.Graph.CarriedStateOp)s.Op).StateName + " " + s.Shape)) + ".");
        w.Line($"private readonly float[][] {g["__carried"]} = {{ {string.Join(", ", states.Select(_ => "global::System.Array.Empty<float>()"))} }};");
        w.Line($"private static readonly int[] {g["__carriedRow"]} = {{ {string.Join(", ", states.Select(s => Sizes.Lit(s.Shape.StaticCount)))} }};");
        w.Line("// The batch size the carried states belong to (-1: none yet).");
        w.Line($"private int {g["__carriedBatch"]} = -1;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Zeroes the states the stateful recurrent layers carry from call to call, so that the next call");
        w.Line("/// starts from zeros: at the start of each epoch or each new text. A call whose batch size differs from");
        w.Line("/// the previous call's starts from zeros by itself. The carried states are not parameters: checkpoints");
        w.Line("/// do not save them.");
        w.Line("/// </summary>");
        w.Open("public void ResetState()");
        w.Line(EnterLine(g));
        w.Line($"this.{g["__ClearCarried"]}();");
        w.Close();
        w.Line();
        w.Line($"private void {g["__ClearCarried"]}() {{ foreach (float[] __c in {g["__carried"]}) global::System.Array.Clear(__c); }}");
        w.Line();
        w.Open($"private void {g["__StartCarried"]}(int n)");
        w.Line($"if (n == {g["__carriedBatch"]}) return;");
        w.Line("// Another batch size: the carried rows belong to other sequences, so this call starts from zeros.");
        w.Open($"for (int __i = 0; __i < {g["__carried"]}.Length; __i++)");
        w.Line($"int __length = checked(n * {g["__carriedRow"]}[__i]);");
        w.Line($"if ({g["__carried"]}[__i].Length < __length) {g["__carried"]}[__i] = new float[__length];");
        w.Line($"else global::System.Array.Clear({g["__carried"]}[__i], 0, __length);");
        w.Close();
        w.Line($"{g["__carriedBatch"]} = n;");
        w.Close();
        w.Line();
        w.Line($"private global::System.Span<float> {g["__Carried"]}(int index, int length) => new({g["__carried"]}[index], 0, length);");
    }
}
