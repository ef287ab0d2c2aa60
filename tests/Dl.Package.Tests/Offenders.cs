using System;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;

namespace Dl.Package.Tests.Offenders;

/// <summary>Each method does one thing the reflection scan must catch; <see cref="Clean"/> does none.</summary>
internal static class Offenders
{
    public static object? UsesActivator() => Activator.CreateInstance(typeof(List<int>));

    public static Type? LoadsTypeByName() => Type.GetType("System.Collections.Generic.List`1");

    public static object? FindsAndInvokesMethod() => typeof(string).GetMethod("ToUpperInvariant")?.Invoke("a", null);

    public static int CompilesExpression() => Expression.Lambda<Func<int>>(Expression.Constant(1)).Compile()();

    public static DynamicMethod EmitsCode() => new("m", typeof(int), Type.EmptyTypes);

    public static int HoldsMethodInfos() => new List<MethodInfo>().Count;

    public static Type MakesGenericType() => typeof(List<>).MakeGenericType(typeof(int));

    public static float Clean(float[] x)
    {
        float sum = 0;
        foreach (var v in x) sum += v;
        // typeof, comparing types and a type's name for a message are not reflection.
        return typeof(float) == typeof(int) || x.GetType().Name.Length == 0 ? -sum : sum;
    }
}
