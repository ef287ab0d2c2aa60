using System;
using System.Globalization;
using System.Numerics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>
/// Arithmetic on build-time constants with C# semantics (int division truncates, float math in
/// float, shift counts masked), for what the C# compiler cannot fold itself: values that depend on a
/// layer's primary-constructor arguments, loop variables, non-const locals. Integer arithmetic is
/// exact and checked: a result outside its type (<c>long.MinValue / -1</c>, <c>65536 * 65536</c>) or a
/// division by zero is a <see cref="ConstantArithmeticException"/>, never a wrapped size or a crash.
/// </summary>
internal static class ConstantEvaluator
{
    public static bool IsNumeric(object? v) => v is int or long or float or double or short or byte or sbyte or ushort or uint or ulong or decimal;

    /// <summary>
    /// Converts a constant to <paramref name="type"/> (a numeric type, bool or an enum): null when it
    /// cannot; a <see cref="ConstantArithmeticException"/> when the value does not fit an integer type.
    /// </summary>
    public static object? Convert(object? value, ITypeSymbol? type)
    {
        if (type is null || value is null) return value;
        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol e && e.EnumUnderlyingType is { } u) return Convert(value, u);
        if (type.SpecialType == SpecialType.System_Boolean) return value as bool?;
        if (!IsNumeric(value)) return type.SpecialType is SpecialType.System_Single or SpecialType.System_Double || IsIntegralType(type.SpecialType) ? null : value;
        switch (type.SpecialType)
        {
            case SpecialType.System_Single: return (float)ToDouble(value);
            case SpecialType.System_Double: return ToDouble(value);
            case SpecialType.System_Decimal: return System.Convert.ToDecimal(value, CultureInfo.InvariantCulture);
        }
        if (!IsIntegralType(type.SpecialType)) return value;
        BigInteger exact;
        if (IsIntegral(value)) exact = ToBig(value);
        else
        {
            double d = ToDouble(value);
            if (double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) >= 1e20)
                throw new ConstantArithmeticException($"converts {Show(value)} to {type.ToDisplayString()}, which cannot hold it");
            exact = new BigInteger(Math.Truncate(d));
        }
        return FromBig(exact, type.SpecialType) ?? throw new ConstantArithmeticException($"converts {Show(value)} to {type.ToDisplayString()}, which cannot hold it");
    }

    public static double ToDouble(object value) => System.Convert.ToDouble(value, CultureInfo.InvariantCulture);

    public static object Unary(UnaryOperatorKind kind, object? operand, ITypeSymbol? resultType)
    {
        switch (kind)
        {
            case UnaryOperatorKind.Plus when IsNumeric(operand): return Convert(operand, resultType)!;
            case UnaryOperatorKind.Minus when IsNumeric(operand): return Arithmetic(BinaryOperatorKind.Subtract, 0, operand!, resultType);
            case UnaryOperatorKind.Not when operand is bool b: return !b;
            case UnaryOperatorKind.BitwiseNegation when operand is int i: return ~i;
            case UnaryOperatorKind.BitwiseNegation when operand is long l: return ~l;
            case UnaryOperatorKind.BitwiseNegation when operand is uint ui: return ~ui;
            case UnaryOperatorKind.BitwiseNegation when operand is ulong ul: return ~ul;
            default: throw new InvalidOperationException($"the operator {kind} on {operand ?? "null"}");
        }
    }

    public static object Binary(BinaryOperatorKind kind, object? left, object? right, ITypeSymbol? resultType)
    {
        if (left is bool a && right is bool b)
            return kind switch
            {
                BinaryOperatorKind.Equals => a == b,
                BinaryOperatorKind.NotEquals => a != b,
                BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd => a && b,
                BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr => a || b,
                BinaryOperatorKind.ExclusiveOr => a ^ b,
                _ => throw new InvalidOperationException($"the operator {kind} on booleans"),
            };
        if (!IsNumeric(left) || !IsNumeric(right))
            throw new InvalidOperationException($"the operator {kind} on {left ?? "null"} and {right ?? "null"}");
        bool integral = IsIntegral(left!) && IsIntegral(right!);
        switch (kind)
        {
            case BinaryOperatorKind.Equals: return Compare(left!, right!, integral) == 0;
            case BinaryOperatorKind.NotEquals: return Compare(left!, right!, integral) != 0;
            case BinaryOperatorKind.LessThan: return Compare(left!, right!, integral) < 0;
            case BinaryOperatorKind.LessThanOrEqual: return Compare(left!, right!, integral) <= 0;
            case BinaryOperatorKind.GreaterThan: return Compare(left!, right!, integral) > 0;
            case BinaryOperatorKind.GreaterThanOrEqual: return Compare(left!, right!, integral) >= 0;
            default: return Arithmetic(kind, left!, right!, resultType);
        }
    }

    private static bool IsIntegral(object v) => v is int or long or short or byte or sbyte or ushort or uint or ulong;

    private static bool IsIntegralType(SpecialType t) => t is SpecialType.System_Int32 or SpecialType.System_Int64
        or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Int16 or SpecialType.System_UInt16
        or SpecialType.System_Byte or SpecialType.System_SByte;

    private static BigInteger ToBig(object v) => v is ulong u ? new BigInteger(u) : new BigInteger(System.Convert.ToInt64(v, CultureInfo.InvariantCulture));

    /// <summary>The value as <paramref name="type"/>, or null when it is out of that type's range.</summary>
    private static object? FromBig(BigInteger v, SpecialType type) => type switch
    {
        SpecialType.System_Int32 when v >= int.MinValue && v <= int.MaxValue => (int)v,
        SpecialType.System_Int64 when v >= long.MinValue && v <= long.MaxValue => (long)v,
        SpecialType.System_UInt32 when v >= uint.MinValue && v <= uint.MaxValue => (uint)v,
        SpecialType.System_UInt64 when v >= ulong.MinValue && v <= ulong.MaxValue => (ulong)v,
        SpecialType.System_Int16 when v >= short.MinValue && v <= short.MaxValue => (short)v,
        SpecialType.System_UInt16 when v >= ushort.MinValue && v <= ushort.MaxValue => (ushort)v,
        SpecialType.System_Byte when v >= byte.MinValue && v <= byte.MaxValue => (byte)v,
        SpecialType.System_SByte when v >= sbyte.MinValue && v <= sbyte.MaxValue => (sbyte)v,
        _ => null,
    };

    private static int Compare(object l, object r, bool integral) =>
        integral ? ToBig(l).CompareTo(ToBig(r)) : ToDouble(l).CompareTo(ToDouble(r));

    private static object Arithmetic(BinaryOperatorKind kind, object l, object r, ITypeSymbol? resultType)
    {
        var special = resultType?.SpecialType ?? SpecialType.None;
        if (!IsIntegralType(special) && special is not SpecialType.System_Single and not SpecialType.System_Double)
            special = IsIntegral(l) && IsIntegral(r) ? SpecialType.System_Int64 : SpecialType.System_Double;
        if (IsIntegralType(special)) return Integral(kind, l, r, special);
        if (special == SpecialType.System_Single)
        {
            float x = (float)ToDouble(l), y = (float)ToDouble(r);
            return kind switch
            {
                BinaryOperatorKind.Add => x + y,
                BinaryOperatorKind.Subtract => x - y,
                BinaryOperatorKind.Multiply => x * y,
                BinaryOperatorKind.Divide => x / y,
                BinaryOperatorKind.Remainder => x % y,
                _ => throw new InvalidOperationException($"the operator {kind} on floats"),
            };
        }
        double dx = ToDouble(l), dy = ToDouble(r);
        return kind switch
        {
            BinaryOperatorKind.Add => dx + dy,
            BinaryOperatorKind.Subtract => dx - dy,
            BinaryOperatorKind.Multiply => dx * dy,
            BinaryOperatorKind.Divide => dx / dy,
            BinaryOperatorKind.Remainder => dx % dy,
            _ => throw new InvalidOperationException($"the operator {kind} on doubles"),
        };
    }

    /// <summary>Exact integer arithmetic, then a range check for the result type (C#'s checked context).</summary>
    private static object Integral(BinaryOperatorKind kind, object l, object r, SpecialType type)
    {
        if (!IsIntegral(l) || !IsIntegral(r))
            throw new InvalidOperationException($"the operator {kind} on {l} and {r} as integers");
        BigInteger x = ToBig(l), y = ToBig(r);
        if (kind is BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift)
        {
            // C# masks the count to the operand's width and never checks shifts: the bits shifted out are gone.
            bool wide = type is SpecialType.System_Int64 or SpecialType.System_UInt64;
            int count = (int)(y & (wide ? 63 : 31));
            BigInteger shifted = kind == BinaryOperatorKind.LeftShift ? x << count : x >> count;
            return Wrap(shifted, type);
        }
        if (kind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder && y.IsZero)
            throw new ConstantArithmeticException("divides by zero");
        BigInteger v = kind switch
        {
            BinaryOperatorKind.Add => x + y,
            BinaryOperatorKind.Subtract => x - y,
            BinaryOperatorKind.Multiply => x * y,
            BinaryOperatorKind.Divide => BigInteger.Divide(x, y),
            BinaryOperatorKind.Remainder => BigInteger.Remainder(x, y),
            BinaryOperatorKind.And => x & y,
            BinaryOperatorKind.Or => x | y,
            BinaryOperatorKind.ExclusiveOr => x ^ y,
            _ => throw new InvalidOperationException($"the operator {kind} on integers"),
        };
        // long.MinValue % -1 is 0 mathematically, but C# throws there: treat it as the overflow it is.
        if (kind == BinaryOperatorKind.Remainder && y == BigInteger.MinusOne && x == (type is SpecialType.System_Int64 ? long.MinValue : int.MinValue))
            throw new ConstantArithmeticException($"overflows {TypeName(type)}");
        return FromBig(v, type) ?? throw new ConstantArithmeticException($"overflows {TypeName(type)} (the exact result is {v})");
    }

    /// <summary>The low bits of <paramref name="v"/> as <paramref name="type"/> (two's complement), as C#'s unchecked shift leaves them.</summary>
    private static object Wrap(BigInteger v, SpecialType type)
    {
        int bits = type is SpecialType.System_Int64 or SpecialType.System_UInt64 ? 64 : 32;
        BigInteger modulus = BigInteger.One << bits, low = ((v % modulus) + modulus) % modulus;
        bool signed = type is SpecialType.System_Int32 or SpecialType.System_Int64;
        if (signed && low >= modulus >> 1) low -= modulus;
        return FromBig(low, type is SpecialType.System_Int64 or SpecialType.System_UInt64 ? type : signed ? SpecialType.System_Int32 : SpecialType.System_UInt32)!;
    }

    private static string TypeName(SpecialType type) => type switch
    {
        SpecialType.System_Int32 => "int",
        SpecialType.System_Int64 => "long",
        SpecialType.System_UInt32 => "uint",
        SpecialType.System_UInt64 => "ulong",
        _ => type.ToString(),
    };

    private static string Show(object value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";
}

/// <summary>Constant arithmetic that C# would refuse in a checked context: the message says what ("divides by zero").</summary>
internal sealed class ConstantArithmeticException(string what) : Exception(what);
