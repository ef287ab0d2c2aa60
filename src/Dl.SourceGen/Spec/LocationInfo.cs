using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dl.SourceGen.Spec;

/// <summary>
/// A source location as plain values (file path, span, line span), so pipeline models stay
/// equatable and never root a syntax tree or a compilation.
/// </summary>
internal readonly record struct LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>
    /// A location in <paramref name="compilation"/>'s syntax tree for this file when there is one (so
    /// <c>#pragma warning disable</c> and the IDE see it as source), else a location by path.
    /// </summary>
    public Location ToLocation(Compilation? compilation = null)
    {
        if (compilation is not null)
            foreach (var tree in compilation.SyntaxTrees)
                if (tree.FilePath == FilePath && Span.End <= tree.Length)
                    return Location.Create(tree, Span);
        return Location.Create(FilePath, Span, LineSpan);
    }

    public static LocationInfo From(SyntaxNode node) => From(node.GetLocation());

    public static LocationInfo From(SyntaxToken token) => From(token.GetLocation());

    public static LocationInfo From(Location location) =>
        new(location.SourceTree?.FilePath ?? location.GetLineSpan().Path ?? "", location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report: its ID in <see cref="DiagnosticDescriptors"/>, where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    /// <summary>Further places worth showing (e.g. the model-level call of the layer an error sits in).</summary>
    public EquatableArray<LocationInfo> AdditionalLocations { get; init; }

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, arguments.ToEquatableArray());

    public bool IsError => DiagnosticDescriptors.ById(Id).DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic(Compilation? compilation = null) => Diagnostic.Create(
        DiagnosticDescriptors.ById(Id),
        Location?.ToLocation(compilation),
        System.Linq.Enumerable.Select(AdditionalLocations, l => l.ToLocation(compilation)),
        System.Linq.Enumerable.ToArray<object>(Arguments));
}
