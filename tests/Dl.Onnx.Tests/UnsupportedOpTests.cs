using Dl.Models.Tests.Models;

namespace Dl.Onnx.Tests;

/// <summary>An op the exporter cannot map is a clear error naming it, decided at build time: never a file ONNX Runtime refuses.</summary>
public class UnsupportedOpTests
{
    [Fact]
    public void A_stateful_recurrent_model_export_throws_naming_the_carried_state()
    {
        // An ONNX model is a function of its inputs: state carried from call to call has no place in it.
        var model = new StatefulSequence(seed: 1);
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(stream));
        Assert.Contains("the op CarriedState", e.Message);
        Assert.Contains("no ONNX mapping", e.Message);
        Assert.Equal(0, stream.Length);
    }
}
