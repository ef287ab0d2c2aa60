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

    /// <summary>samples/LeNet's LeNet-5: convolutions, pooling and dense layers.</summary>
    public const string LeNet5 = """
        using Dl;
        namespace Demo;
        [Model]
        public partial class LeNet5
        {
            readonly Conv2d conv1 = new(1, 6, 5, padding: 2, activation: Activation.Relu);
            readonly Conv2d conv2 = new(6, 16, 5, activation: Activation.Relu);
            readonly Dense fc1 = new(16 * 5 * 5, 120, Activation.Relu);
            readonly Dense fc2 = new(120, 84, Activation.Relu);
            readonly Dense fc3 = new(84, 10);
            public Tensor Forward([Input(1, 28, 28)] Tensor image)
            {
                var h = Nn.MaxPool2d(conv1.Forward(image), 2);
                h = Nn.MaxPool2d(conv2.Forward(h), 2);
                return fc3.Forward(fc2.Forward(fc1.Forward(h.Flatten())));
            }
            public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
        }
        """;

    /// <summary>Batch norm (running averages, two modes) and dropout (a seed and a step counter).</summary>
    public const string NormDropout = """
        using Dl;
        namespace Demo;
        [Model]
        public partial class NormDropout
        {
            readonly Dense hidden = new(20, 16);
            readonly BatchNorm1d norm = new(16);
            readonly Dropout drop = new(0.25f);
            readonly Dense output = new(16, 4);
            public Tensor Forward([Input(20)] Tensor features) =>
                output.Forward(drop.Forward(Nn.Relu(norm.Forward(hidden.Forward(features)))));
            public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
        }
        """;
}
