using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Dl.Package.Tests;

/// <summary>
/// Reads an assembly's IL with System.Reflection.Metadata (never loading it) and lists every place where a method
/// uses reflection or runtime code generation: System.Reflection (Emit included), System.Linq.Expressions,
/// Activator, AppDomain, assembly loading, Type's reflection members (GetType(string), GetMethod, MakeGenericType...),
/// Delegate.DynamicInvoke/CreateDelegate, and any reference to ILGPU (the GPU path, which reads IL at run time).
/// Custom attributes such as [assembly: AssemblyMetadata] are metadata, not code, and are not reported.
/// </summary>
public static class ReflectionScanner
{
    /// <summary>One use: the method that makes it ("Dl.Cpu.Gemm.Multiply"), the IL offset and what it touches.</summary>
    public sealed record Finding(string Method, int Offset, string Target)
    {
        public override string ToString() => $"{Method} (IL_{Offset:x4}) uses {Target}";
    }

    private static readonly string[] DeniedNamespaces =
    {
        "System.Reflection.", "System.Linq.Expressions.", "System.Runtime.Loader.", "ILGPU.", "ILGPU",
    };

    private static readonly HashSet<string> DeniedTypes = new(StringComparer.Ordinal)
    {
        "System.Activator", "System.AppDomain",
    };

    /// <summary>Members of allowed types that are reflection all the same.</summary>
    private static readonly Dictionary<string, Func<string, bool>> DeniedMembers = new(StringComparer.Ordinal)
    {
        // typeof(T) and comparing types are fine; looking members up, loading types by name and building generic types are not.
        ["System.Type"] = member => member is not ("GetTypeFromHandle" or "op_Equality" or "op_Inequality" or "get_TypeHandle" or "get_Name"),
        ["System.Delegate"] = member => member is "DynamicInvoke" or "CreateDelegate",
        ["System.Runtime.CompilerServices.RuntimeHelpers"] = member => member is "GetUninitializedObject" or "RunClassConstructor",
        ["System.Runtime.InteropServices.Marshal"] = member => member is "GetDelegateForFunctionPointer" or "GetFunctionPointerForDelegate",
        ["System.Enum"] = member => member is "GetValues" or "GetNames" or "GetUnderlyingType" or "ToObject",
    };

    /// <summary>
    /// Uses inside System.Reflection that are allowed: a type's name for an error message (<c>GetType().Name</c>) is
    /// trim- and AOT-safe metadata, not a look-up of members.
    /// </summary>
    private static readonly HashSet<string> AllowedMembers = new(StringComparer.Ordinal)
    {
        "System.Reflection.MemberInfo::get_Name",
    };

    /// <summary>True when code that uses <paramref name="typeName"/> (a full name, generic arguments included) is reflection.</summary>
    public static bool IsDenied(string typeName) =>
        DeniedTypes.Contains(typeName) || DeniedNamespaces.Any(ns => ContainsNamespace(typeName, ns));

    private static bool ContainsNamespace(string name, string ns)
    {
        // At the start of the name or of a generic argument: "List`1<System.Reflection.MethodInfo>".
        for (int at = name.IndexOf(ns, StringComparison.Ordinal); at >= 0; at = name.IndexOf(ns, at + 1, StringComparison.Ordinal))
            if (at == 0 || name[at - 1] is '<' or ',' or ' ' or '[')
                return true;
        return false;
    }

    /// <summary>Every finding in <paramref name="assemblyPath"/>, in the types <paramref name="includeType"/> accepts (all when null).</summary>
    public static IReadOnlyList<Finding> Scan(string assemblyPath, Func<string, bool>? includeType = null)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var names = new NameProvider(md);
        var findings = new List<Finding>();

        foreach (var handle in md.AssemblyReferences)
        {
            string name = md.GetString(md.GetAssemblyReference(handle).Name);
            if (name.StartsWith("ILGPU", StringComparison.OrdinalIgnoreCase) || name == "System.Reflection.Emit")
                findings.Add(new Finding("<assembly references>", 0, "assembly " + name));
        }

        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            string typeName = names.TypeDefinitionName(typeHandle);
            if (includeType != null && !includeType(typeName)) continue;
            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0) continue;
                string methodName = typeName + "." + md.GetString(method.Name);
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                foreach (var (offset, token) in Tokens(body.GetILReader()))
                {
                    string? target = Describe(md, names, token, out bool denied);
                    if (denied) findings.Add(new Finding(methodName, offset, target!));
                }
            }
        }
        return findings;
    }

    /// <summary>What a metadata token names, and whether using it is reflection.</summary>
    private static string? Describe(MetadataReader md, NameProvider names, int token, out bool denied)
    {
        denied = false;
        var handle = MetadataTokens.EntityHandle(token);
        switch (handle.Kind)
        {
            case HandleKind.MethodSpecification:
                return Describe(md, names, MetadataTokens.GetToken(md.GetMethodSpecification((MethodSpecificationHandle)handle).Method), out denied);
            case HandleKind.MemberReference:
            {
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                string? owner = names.TypeName(member.Parent);
                if (owner is null) return null;
                string name = md.GetString(member.Name);
                denied = !AllowedMembers.Contains(owner + "::" + name) && (IsDenied(owner) || (DeniedMembers.TryGetValue(StripGenericArguments(owner), out var rule) && rule(name)));
                return owner + "::" + name;
            }
            case HandleKind.TypeReference:
            case HandleKind.TypeSpecification:
            {
                string? type = names.TypeName(handle);
                denied = type != null && IsDenied(type);
                return type;
            }
            default:
                return null; // this assembly's own methods, fields and types
        }
    }

    private static string StripGenericArguments(string name) => name.IndexOf('<') is int i and >= 0 ? name[..i] : name;

    /// <summary>(offset, token) of every instruction whose operand is a metadata token.</summary>
    private static IEnumerable<(int Offset, int Token)> Tokens(BlobReader il)
    {
        var result = new List<(int, int)>();
        while (il.RemainingBytes > 0)
        {
            int offset = il.Offset;
            int code = il.ReadByte();
            if (code == 0xFE) code = 0xFE00 | il.ReadByte();
            var operand = OperandTypes.TryGetValue((short)code, out var t) ? t : throw new InvalidDataException($"unknown IL opcode 0x{code:x} at IL_{offset:x4}");
            switch (operand)
            {
                case System.Reflection.Emit.OperandType.InlineNone: break;
                case System.Reflection.Emit.OperandType.ShortInlineBrTarget:
                case System.Reflection.Emit.OperandType.ShortInlineI:
                case System.Reflection.Emit.OperandType.ShortInlineVar: il.Offset += 1; break;
                case System.Reflection.Emit.OperandType.InlineVar: il.Offset += 2; break;
                case System.Reflection.Emit.OperandType.InlineI8:
                case System.Reflection.Emit.OperandType.InlineR: il.Offset += 8; break;
                case System.Reflection.Emit.OperandType.InlineSwitch: il.Offset += 4 * il.ReadInt32(); break;
                case System.Reflection.Emit.OperandType.InlineField:
                case System.Reflection.Emit.OperandType.InlineMethod:
                case System.Reflection.Emit.OperandType.InlineTok:
                case System.Reflection.Emit.OperandType.InlineType:
                    result.Add((offset, il.ReadInt32())); break;
                default: il.Offset += 4; break; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
            }
        }
        return result;
    }

    /// <summary>Opcode value to operand kind, read once from the framework's own table (the test may use reflection).</summary>
    private static readonly Dictionary<short, System.Reflection.Emit.OperandType> OperandTypes =
        typeof(System.Reflection.Emit.OpCodes).GetFields()
            .Select(f => (System.Reflection.Emit.OpCode)f.GetValue(null)!)
            .ToDictionary(op => op.Value, op => op.OperandType);

    /// <summary>Full type names from handles and signatures: "System.Collections.Generic.List`1&lt;System.Reflection.MethodInfo&gt;".</summary>
    private sealed class NameProvider(MetadataReader md) : ISignatureTypeProvider<string, object?>
    {
        public string TypeDefinitionName(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            string name = md.GetString(type.Name);
            if (type.IsNested) return TypeDefinitionName(type.GetDeclaringType()) + "+" + name;
            string ns = md.GetString(type.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }

        public string? TypeName(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeReference => GetTypeFromReference(md, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeDefinition => GetTypeFromDefinition(md, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
            _ => null,
        };

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            string name = reader.GetString(type.Name);
            if (type.ResolutionScope.Kind == HandleKind.TypeReference)
                return GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, 0) + "+" + name;
            string ns = reader.GetString(type.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => TypeDefinitionName(handle);
        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => "System." + typeCode;
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetGenericTypeParameter(object? context, int index) => "!" + index;
        public string GetGenericMethodParameter(object? context, int index) => "!!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "method*";
    }
}
