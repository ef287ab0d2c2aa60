using System.Collections.Generic;

namespace Dl.Compiler;

/// <summary>Where the generated partial class goes: the user's namespace, class and containing types.</summary>
public sealed class ModelDeclaration
{
    public ModelDeclaration(string? @namespace, string className, string accessibility, IReadOnlyList<string> containingTypes)
    {
        Namespace = @namespace;
        ClassName = className;
        Accessibility = accessibility;
        ContainingTypes = containingTypes;
    }

    /// <summary>Null for the global namespace.</summary>
    public string? Namespace { get; }
    public string ClassName { get; }
    /// <summary>"public", "internal", ... as declared.</summary>
    public string Accessibility { get; }
    /// <summary>Declarations of enclosing types, outermost first, e.g. "partial class Outer".</summary>
    public IReadOnlyList<string> ContainingTypes { get; }
}
