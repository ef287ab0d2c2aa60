using System;

namespace Dl.Cpu;

/// <summary>
/// Entry checks shared by the kernels. Callers slice one arena, so a span may be longer than the
/// shape needs (a buffer planned for the largest batch); only a shorter one is an error. Each check
/// is one comparison on the happy path (messages are formatted only when thrown: a kernel allocates nothing), and the message names the argument, the shape, the values
/// needed and the values given, so a wrong slice in generated code is found from the message alone.
/// </summary>
internal static class Require
{
    /// <summary>Throws unless <paramref name="actual"/> holds at least rows x cols values.</summary>
    public static void Matrix(int actual, int rows, int cols, string name)
    {
        long need = (long)rows * cols;
        if (actual < need)
            throw new ArgumentException($"{name}: a {rows}x{cols} matrix needs {need} values, got {actual}", name);
    }

    /// <summary>Throws unless <paramref name="actual"/> holds at least a x b x c values (the message is built only then).</summary>
    public static void Array3(int actual, int a, int b, int c, string name)
    {
        long need = (long)a * b * c;
        if (actual < need)
            throw new ArgumentException($"{name}: a [{a}, {b}, {c}] array needs {need} values, got {actual}", name);
    }

    /// <summary>Throws unless <paramref name="actual"/> holds at least <paramref name="need"/> values.</summary>
    public static void Length(int actual, long need, string name)
    {
        if (actual < need)
            throw new ArgumentException($"{name}: needs {need} values, got {actual}", name);
    }

    /// <summary>Throws unless every size is zero or more.</summary>
    public static void NonNegative(int value, string name)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be zero or more, got {value}");
    }
}
