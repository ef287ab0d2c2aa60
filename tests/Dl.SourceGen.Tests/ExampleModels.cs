namespace Dl.SourceGen.Tests;

/// <summary>The README's models: they must read, lower, compile and generate code that compiles.</summary>
internal static class ExampleModels
{
    public const string MnistMlp = """
        using Dl;
        namespace Demo;
        [Model]
        public partial class MnistMlp
        {
            readonly Dense hidden = new(784, 128, Activation.Relu);
            readonly Dense output = new(128, 10);
            public Tensor Forward([Input(784)] Tensor image) => output.Forward(hidden.Forward(image));
            public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
        }
        """;

    public const string Deep = """
        using Dl;
        namespace Demo;
        [Layer]
        public partial class Residual(int width)
        {
            readonly Dense inner = new(width, width, Activation.Relu);
            readonly Param scale = new(Init.Ones, width);
            public Tensor Forward(Tensor x) => x + inner.Forward(x) * scale;
        }
        [Model]
        public partial class Deep
        {
            const int Width = 32;
            const int Blocks = 3;
            readonly Dense input = new(16, Width, Activation.Tanh);
            readonly Residual block = new(Width);
            readonly Dense head = new(Width, 1);
            public Tensor Forward([Input(16)] Tensor x)
            {
                var h = input.Forward(x);
                for (int i = 0; i < Blocks; i++) h = block.Forward(h);   // same block 3 times: shared weights
                return head.Forward(h);
            }
            public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);  // target with no [Input]: same shape as Forward's output
        }
        """;
}
