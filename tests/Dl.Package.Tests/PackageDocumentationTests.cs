using System;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Dl.Package.Tests;

/// <summary>
/// The package ships Dl.Runtime.xml beside Dl.Runtime.dll, so IntelliSense shows the docs of the API a model is
/// written against: every public type and member of the Dl and Dl.Data namespaces has a summary there.
/// </summary>
[Collection(DotnetProcessesCollection.Name)]
public sealed class PackageDocumentationTests(PackageFixture fixture, ITestOutputHelper output)
{
    private XDocument PackedDocumentation()
    {
        using var zip = ZipFile.OpenRead(fixture.PackagePath);
        var entry = zip.GetEntry("lib/net10.0/Dl.Runtime.xml");
        Assert.True(entry != null, "the package has no lib/net10.0/Dl.Runtime.xml; it holds:\n" + string.Join("\n", zip.Entries.Select(e => e.FullName).Order()));
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }

    private static string? Summary(XDocument docs, string id) =>
        docs.Descendants("member").FirstOrDefault(m => (string?)m.Attribute("name") == id)?.Element("summary")?.Value.Trim();

    [Theory]
    [InlineData("T:Dl.Tensor", "symbolic tensor")]
    [InlineData("T:Dl.Nn", "Ops as functions")]
    [InlineData("T:Dl.Dense", "fully connected layer")]
    [InlineData("T:Dl.Conv2d", "2-D convolution")]
    [InlineData("T:Dl.ModelAttribute", "Marks a")]
    [InlineData("T:Dl.InputAttribute", "shape of one sample")]
    [InlineData("M:Dl.Dense.#ctor(System.Int32,System.Int32,Dl.Activation,System.Boolean)", "Declares the layer")]
    [InlineData("M:Dl.Nn.CrossEntropy(Dl.Tensor,Dl.Labels)", "cross-entropy")]
    [InlineData("M:Dl.Tensor.MatMul(Dl.Tensor)", "Matrix product")]
    [InlineData("M:Dl.Tensor.op_Addition(Dl.Tensor,Dl.Tensor)", "broadcasting")]
    [InlineData("M:Dl.IClassifier.Predict(System.ReadOnlySpan{System.Single})", "forward pass")]
    [InlineData("M:Dl.Data.Idx.ReadImages(System.String,System.Int64)", "images file")]
    public void The_packed_documentation_describes_the_api(string id, string phrase)
    {
        var summary = Summary(PackedDocumentation(), id);
        Assert.True(summary != null, $"Dl.Runtime.xml in the package has no summary for {id}");
        Assert.Contains(phrase, summary, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_public_member_of_the_model_api_and_data_is_documented_in_the_package()
    {
        var docs = PackedDocumentation();
        var documented = docs.Descendants("member")
            .Where(m => !string.IsNullOrWhiteSpace(m.Element("summary")?.Value))
            .Select(m => (string)m.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var surface = DocumentationIds.PublicSurface(typeof(Tensor).Assembly, "Dl", "Dl.Data").ToList();
        output.WriteLine($"{surface.Count} public types and members in Dl and Dl.Data, {documented.Count} documented members in the file");

        var missing = surface.Where(id => !documented.Contains(id)).ToList();

        Assert.True(surface.Count > 200, $"only {surface.Count} members found: the surface scan is broken");
        Assert.True(missing.Count == 0, $"{missing.Count} public members have no summary in the packed Dl.Runtime.xml:\n" + string.Join("\n", missing));
    }
}
