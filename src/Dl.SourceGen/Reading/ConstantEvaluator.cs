using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>
/// Arithmetic on build-time constants with C# semantics (int division truncates, float math in
/// float), for what the C# compiler cannot fold itself: values that depend on a layer's
/// primary-constructor arguments, loop variables, non-const locals.
/// </summary>
internal static class ConstantEvaluator
{
    public static bool IsNumeric(object? v) => v is int or long or float or double or short or byte or sbyte or ushort or uint or ulong or decimal;

    /// <summary>Converts a constant to <paramref name="type"/> (a numeric type, bool or an enum); null when it cannot.</summary>
    public static object? Convert(object? value, ITypeSymbol? type)
    {
        if (type is null || value is null) return value;
        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol e && e.EnumUnderlyingType is { } u) return Convert(value, u);
        switch (type.SpecialType)
        {
            case SpecialType.System_Int32: return IsNumeric(value) ? (object)(int)ToDouble(value) : null;
            case SpecialType.System_Int64: return IsNumeric(value) ? (object)(long)ToDouble(value) : null;
            case SpecialType.System_Single: return IsNumeric(value) ? (object)(float)ToDouble(value) : null;
            case SpecialType.System_Double: return IsNumeric(value) ? (object)ToDouble(value) : null;
            case SpecialType.System_Boolean: return value as bool?;
            default: return value;
        }
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

    private static bool IsIntegral(object v) => v is int or long or short or byte or sbyte or ushort or uint;

    private static int Compare(object l, object r, bool integral) =>
        integral ? System.Convert.ToInt64(l, CultureInfo.InvariantCulture).CompareTo(System.Convert.ToInt64(r, CultureInfo.InvariantCulture))
                 : ToDouble(l).CompareTo(ToDouble(r));

    private static object Arithmetic(BinaryOperatorKind kind, object l, object r, ITypeSymbol? resultType)
    {
        var special = resultType?.SpecialType ?? SpecialType.None;
        if (special == SpecialType.None)
            special = IsIntegral(l) && IsIntegral(r) ? SpecialType.System_Int64 : SpecialType.System_Double;
        if (special is SpecialType.System_Int32 or SpecialType.System_Int64)
        {
            long x = System.Convert.ToInt64(l, CultureInfo.InvariantCulture), y = System.Convert.ToInt64(r, CultureInfo.InvariantCulture);
            if ((kind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder) && y == 0)
                throw new DivideByZeroException("division by zero in a constant expression");
            long v = kind switch
            {
                BinaryOperatorKind.Add => x + y,
                BinaryOperatorKind.Subtract => x - y,
                BinaryOperatorKind.Multiply => x * y,
                BinaryOperatorKind.Divide => x / y,
                BinaryOperatorKind.Remainder => x % y,
                BinaryOperatorKind.LeftShift => x << (int)y,
                BinaryOperatorKind.RightShift => x >> (int)y,
                BinaryOperatorKind.And => x & y,
                BinaryOperatorKind.Or => x | y,
                BinaryOperatorKind.ExclusiveOr => x ^ y,
                _ => throw new InvalidOperationException($"the operator {kind} on integers"),
            };
            return special == SpecialType.System_Int32 ? unchecked((int)v) : v;
        }
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
}
