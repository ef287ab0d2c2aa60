using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Dl.Package.Tests;

/// <summary>
/// The documentation IDs the C# compiler writes into an XML documentation file ("T:Dl.Dense",
/// "M:Dl.Dense.#ctor(System.Int32,System.Int32,Dl.Activation,System.Boolean)", "P:Dl.Dense.Inputs"), computed from
/// reflection, to find public members that have no entry.
/// </summary>
internal static class DocumentationIds
{
    /// <summary>IDs of the public types of <paramref name="assembly"/> in <paramref name="namespaces"/> and their declared public members.</summary>
    /// <remarks>Parameterless constructors are left out: the compiler's implicit one has no comment to carry.</remarks>
    public static IEnumerable<string> PublicSurface(Assembly assembly, params string[] namespaces)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes().Where(t => namespaces.Contains(t.Namespace)).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            yield return "T:" + TypeName(type);
            foreach (var member in type.GetMembers(declared))
            {
                string? id = member switch
                {
                    ConstructorInfo c when c.GetParameters().Length > 0 => "M:" + TypeName(type) + ".#ctor" + Parameters(c),
                    MethodInfo m when !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal) => "M:" + TypeName(type) + "." + m.Name +
                        (m.IsGenericMethodDefinition ? "``" + m.GetGenericArguments().Length : "") + Parameters(m),
                    PropertyInfo p => "P:" + TypeName(type) + "." + p.Name + (p.GetIndexParameters().Length > 0 ? Parameters(p.GetIndexParameters()) : ""),
                    FieldInfo f when !f.IsSpecialName => "F:" + TypeName(type) + "." + f.Name,
                    EventInfo e => "E:" + TypeName(type) + "." + e.Name,
                    _ => null,
                };
                if (id != null) yield return id;
            }
        }
    }

    private static string Parameters(MethodBase method) => Parameters(method.GetParameters());

    private static string Parameters(System.Reflection.ParameterInfo[] parameters) =>
        parameters.Length == 0 ? "" : "(" + string.Join(",", parameters.Select(p => TypeName(p.ParameterType))) + ")";

    private static string TypeName(Type type)
    {
        if (type.IsByRef) return TypeName(type.GetElementType()!) + "@";
        if (type.IsPointer) return TypeName(type.GetElementType()!) + "*";
        if (type.IsArray) return TypeName(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (type.IsGenericMethodParameter) return "``" + type.GenericParameterPosition;
        if (type.IsGenericTypeParameter) return "`" + type.GenericParameterPosition;
        string name = type.IsNested ? TypeName(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (!type.IsConstructedGenericType) return name;
        int tick = name.LastIndexOf('`');
        return name[..tick] + "{" + string.Join(",", type.GetGenericArguments().Select(TypeName)) + "}";
    }
}
