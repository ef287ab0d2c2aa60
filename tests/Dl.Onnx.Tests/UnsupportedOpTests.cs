using Dl.Onnx.Tests.Models;

namespace Dl.Onnx.Tests;

/// <summary>An op the exporter cannot map is a clear error naming it, decided at build time: never a file ONNX Runtime refuses.</summary>
public class UnsupportedOpTests
{
    [Fact]
    public void An_LSTM_model_export_throws_naming_the_loop_op()
    {
        var model = new LstmModel(seed: 1);
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(stream));
        Assert.Contains("the op Scan", e.Message);
        Assert.Contains("no ONNX mapping", e.Message);
        Assert.Equal(0, stream.Length);
    }
}
