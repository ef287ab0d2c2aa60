namespace Dl.Graph;

/// <summary>
/// The largest sizes compiled code can handle. Every size and offset the emitters print is a C#
/// <c>int</c> and the CPU arena is one float array, so a tensor whose element count (per sample, for
/// a batch-dependent one) passes <see cref="int.MaxValue"/> is refused where it is created: the
/// error then points at the expression that made it, not at the generated code.
/// </summary>
public static class TensorLimits
{
    public const long MaxElements = int.MaxValue;

    /// <summary>Throws <see cref="ShapeErrorKind.TooLarge"/> when <paramref name="shape"/> has more elements (per sample) than one tensor can hold.</summary>
    public static void Check(Op op, Shape shape)
    {
        if (shape.StaticCount <= MaxElements) return;
        string count = shape.StaticCount == long.MaxValue ? "more than 9.2e18" : shape.StaticCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        throw new ShapeException(ShapeErrorKind.TooLarge,
            $"{Describe(op)}: a tensor of shape {shape} has {count} elements{(shape.HasBatch ? " per sample" : "")}, more than {MaxElements} (the most one tensor can hold)");
    }

    /// <summary>Throws <see cref="ShapeErrorKind.TooLarge"/> when a total the compiled code indexes (all parameters, the arena) passes <see cref="MaxElements"/>.</summary>
    public static void CheckTotal(string model, string what, long count)
    {
        if (count > MaxElements)
            throw new ShapeException(ShapeErrorKind.TooLarge, $"model '{model}': {what} would take {count} floats, more than {MaxElements} (the most one array can hold); make the model smaller");
    }

    private static string Describe(Op op) => op switch
    {
        ParamOp p => $"parameter '{p.ParamName}'",
        InputOp i => $"input '{i.InputName}'",
        _ => op.Name,
    };
}
