using Microsoft.CodeAnalysis;

namespace Dl.SourceGen.Reading;

/// <summary>The runtime API types model code is written against (namespace <c>Dl</c>), resolved once per read.</summary>
internal sealed class KnownTypes
{
    public KnownTypes(Compilation compilation)
    {
        Tensor = compilation.GetTypeByMetadataName("Dl.Tensor");
        Param = compilation.GetTypeByMetadataName("Dl.Param");
        Labels = compilation.GetTypeByMetadataName("Dl.Labels");
        Nn = compilation.GetTypeByMetadataName("Dl.Nn");
        Dense = compilation.GetTypeByMetadataName("Dl.Dense");
        Layer = compilation.GetTypeByMetadataName("Dl.LayerAttribute");
        Model = compilation.GetTypeByMetadataName("Dl.ModelAttribute");
        Input = compilation.GetTypeByMetadataName("Dl.InputAttribute");
        var builtins = new System.Collections.Generic.List<INamedTypeSymbol>();
        // The op table's layers (Dense has a symbol of its own: its Forward and properties are read apart).
        foreach (var entry in Dl.Graph.OpTable.Entries)
            if (entry.Surface == Dl.Graph.OpSurface.Layer && entry.Name != "Dense" && compilation.GetTypeByMetadataName("Dl." + entry.SurfaceName) is { } t)
                builtins.Add(t);
        BuiltinLayers = builtins;
    }

    public INamedTypeSymbol? Tensor { get; }
    public INamedTypeSymbol? Param { get; }
    public INamedTypeSymbol? Labels { get; }
    public INamedTypeSymbol? Nn { get; }
    public INamedTypeSymbol? Dense { get; }
    public INamedTypeSymbol? Layer { get; }
    public INamedTypeSymbol? Model { get; }
    public INamedTypeSymbol? Input { get; }
    /// <summary>The convolutional toolbox's layers (Conv2d, BatchNorm2d, Dropout, ...).</summary>
    public System.Collections.Generic.IReadOnlyList<INamedTypeSymbol> BuiltinLayers { get; }

    public bool IsBuiltinLayer(ITypeSymbol? type) => System.Linq.Enumerable.Any(BuiltinLayers, t => Is(type, t));

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    /// <summary>Tensor or a subclass (Param).</summary>
    public bool IsTensor(ITypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (Is(t, Tensor)) return true;
        return false;
    }

    public bool IsLayerClass(ITypeSymbol? type) => HasAttribute(type, Layer);

    public bool IsModelClass(ITypeSymbol? type) => HasAttribute(type, Model);

    /// <summary>Types whose fields hold parameters: Param, Dense, the built-in layers but Dropout, and user [Layer] classes.</summary>
    public bool OwnsParameters(ITypeSymbol? type) => Is(type, Param) || Is(type, Dense) || IsLayerClass(type) || (IsBuiltinLayer(type) && Dl.Graph.OpTable.Get(type!.Name).HasParameters);

    private static bool HasAttribute(ITypeSymbol? type, INamedTypeSymbol? attribute)
    {
        if (type is null || attribute is null) return false;
        foreach (var a in type.GetAttributes())
            if (Is(a.AttributeClass, attribute)) return true;
        return false;
    }
}
