using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Dl.Graph;

/// <summary>
/// Structural identity of ops: the op's type and the values of every instance field it (and its base
/// classes) holds, so an attribute added to an op is part of its identity without anyone listing it.
/// A hand-written key that forgot an attribute would let interning (CSE) silently merge two different
/// nodes; this cannot. Values compare as: floating point by bits (0 and -0, two NaNs, stay apart as
/// their text did), sequences element by element, types with their own Equals (Shape) by it, other
/// classes (ConvGeometry) field by field; nodes and builders (graph structure, not attributes) by
/// reference. Runs only at build time (the graph never reaches the runtime).
/// </summary>
internal static class OpIdentity
{
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> s_fields = new();

    public static bool Equal(Op a, Op b) => ReferenceEquals(a, b) || a.GetHashCode() == b.GetHashCode() && ValuesEqual(a, b, topLevel: true);

    public static int Hash(object op) => ValueHash(op, topLevel: true);

    private static FieldInfo[] Fields(Type type) => s_fields.GetOrAdd(type, t =>
    {
        var fields = new List<FieldInfo>();
        // Op's own fields are caches (its hash), not attributes.
        for (var c = t; c is not null && c != typeof(object) && c != typeof(Op); c = c.BaseType)
            fields.AddRange(c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        return fields.OrderBy(f => f.DeclaringType!.FullName, StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal).ToArray();
    });

    /// <summary>A type that defines equality itself (Shape, strings, enums, primitives): trust it.</summary>
    private static bool HasOwnEquality(Type type) =>
        type == typeof(Node) || type == typeof(GraphBuilder) || type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type.GetMethod(nameof(Equals), new[] { typeof(object) })?.DeclaringType is { } declaring
           && declaring != typeof(object) && declaring != typeof(ValueType) && declaring != typeof(Op);

    private static bool ValuesEqual(object? a, object? b, bool topLevel = false)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.GetType() != b.GetType()) return false;
        switch (a)
        {
            case double d: return BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)b);
            case float f: return BitConverter.DoubleToInt64Bits(f) == BitConverter.DoubleToInt64Bits((float)b);
        }
        var type = a.GetType();
        if (!topLevel && HasOwnEquality(type)) return a.Equals(b);
        if (a is IEnumerable ea && a is not string)
        {
            var eb = ((IEnumerable)b).Cast<object?>().GetEnumerator();
            foreach (var item in ea)
                if (!eb.MoveNext() || !ValuesEqual(item, eb.Current)) return false;
            return !eb.MoveNext();
        }
        foreach (var field in Fields(type))
            if (!ValuesEqual(field.GetValue(a), field.GetValue(b))) return false;
        return true;
    }

    private static int ValueHash(object? value, bool topLevel = false)
    {
        unchecked
        {
            switch (value)
            {
                case null: return 0;
                case double d: return BitConverter.DoubleToInt64Bits(d).GetHashCode();
                case float f: return BitConverter.DoubleToInt64Bits(f).GetHashCode();
            }
            var type = value.GetType();
            if (!topLevel && HasOwnEquality(type)) return value.GetHashCode();
            int hash = type.GetHashCode();
            if (value is IEnumerable e)
            {
                foreach (var item in e) hash = hash * 31 + ValueHash(item);
                return hash;
            }
            foreach (var field in Fields(type))
                hash = hash * 31 + ValueHash(field.GetValue(value));
            return hash;
        }
    }
}
