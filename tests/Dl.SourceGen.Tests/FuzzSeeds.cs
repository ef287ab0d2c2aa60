namespace Dl.SourceGen.Tests;

/// <summary>
/// The seed models the generator fuzz test mutates: each a valid, complete model file in namespace
/// <c>Fuzz</c> with one <c>[Model]</c> class, small sizes (so a case compiles quickly), and between them
/// every kind of thing model code may contain (layers, loops, constants, the toolbox, Param fields,
/// custom losses, inference-only models, input gradients).
/// </summary>
internal static class FuzzSeeds
{
    public static readonly (string Name, string Source)[] All =
    {
        ("Mlp", """
            using Dl;
            namespace Fuzz;
            [Model]
            public partial class Mlp
            {
                readonly Dense hidden = new(16, 8, Activation.Relu);
                readonly Dense output = new(8, 4);
                public Tensor Forward([Input(16)] Tensor image) => output.Forward(hidden.Forward(image));
                public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
            }
            """),
        ("LeNet", """
            using Dl;
            namespace Fuzz;
            [Model]
            public partial class LeNet
            {
                readonly Conv2d conv1 = new(1, 4, 3, padding: 1, activation: Activation.Relu);
                readonly Conv2d conv2 = new(4, 6, 3, activation: Activation.Relu);
                readonly Dense fc1 = new(6 * 1 * 1, 10, Activation.Relu);
                readonly Dense fc2 = new(10, 3);
                public Tensor Forward([Input(1, 8, 8)] Tensor image)
                {
                    var h = Nn.MaxPool2d(conv1.Forward(image), 2);
                    h = Nn.MaxPool2d(conv2.Forward(h), 1);
                    h = Nn.AvgPool2d(h, 2);
                    return fc2.Forward(fc1.Forward(h.Flatten()));
                }
                public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
            }
            """),
        ("Residual", """
            using Dl;
            namespace Fuzz;
            [Layer]
            public partial class Block(int width)
            {
                readonly Dense inner = new(width, width, Activation.Relu);
                readonly Param scale = new(Init.Ones, width);
                public Tensor Forward(Tensor x) => x + inner.Forward(x) * scale;
            }
            [Model]
            public partial class Residual
            {
                const int Width = 8;
                const int Blocks = 3;
                readonly Dense input = new(6, Width, Activation.Tanh);
                readonly Block block = new(Width);
                readonly Block last = new(Width);
                readonly Dense head = new(Width, 2);
                public Tensor Forward([Input(6)] Tensor x)
                {
                    var h = input.Forward(x);
                    for (int i = 0; i < Blocks; i++)
                        h = block.Forward(h);
                    h = last.Forward(h);
                    return head.Forward(h);
                }
                public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
            }
            """),
        ("BatchNorm", """
            using Dl;
            namespace Fuzz;
            [Model]
            public partial class BatchNorm
            {
                const int Width = 4;
                readonly Conv2d stem = new(1, Width, 3, padding: 1, bias: false);
                readonly BatchNorm2d stemNorm = new(Width);
                readonly Dense hidden = new(Width * 3 * 3, 12);
                readonly BatchNorm1d hiddenNorm = new(12);
                readonly Dropout drop = new(0.25f);
                readonly Dense output = new(12, 5);
                public Tensor Forward([Input(1, 6, 6)] Tensor image)
                {
                    var h = Nn.Relu(stemNorm.Forward(stem.Forward(image)));
                    h = Nn.MaxPool2d(h, 2);
                    var f = drop.Forward(Nn.Relu(hiddenNorm.Forward(hidden.Forward(h.Flatten()))));
                    return output.Forward(f);
                }
                public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
            }
            """),
        ("Params", """
            using Dl;
            namespace Fuzz;
            [Model]
            public partial class Params
            {
                const float Decay = 0.01f;
                readonly Param w = new(Init.Glorot, 5, 4);
                readonly Param gain = new(Init.Ones, 4);
                readonly Param bias = new(Init.Zeros, 4);
                public Tensor Forward([Input(5)] Tensor x)
                {
                    var h = (x.MatMul(w) * gain + bias).Tanh();
                    var centred = h - h.Mean(1).Reshape(-1, 1);
                    return centred / (1f + h.Sigmoid()) + Nn.LeakyRelu(h, 0.1f);
                }
                public Tensor Loss(Tensor y, Tensor target) =>
                    Nn.BinaryCrossEntropy(y, target) + Nn.L2(w) * Decay + (y * y).Mean() * 0.5f;
            }
            """),
        ("LoopLayers", """
            using Dl;
            namespace Fuzz;
            [Layer]
            public partial class Gate(int width, bool squash)
            {
                readonly Param g = new(Init.Ones, width);
                public Tensor Forward(Tensor x) => squash ? (x * g).Sigmoid() : x * g;
            }
            [Model]
            public partial class LoopLayers
            {
                const int Width = 6;
                const int Depth = 4;
                readonly Dense even = new(Width, Width, Activation.Relu);
                readonly Dense odd = new(Width, Width, Activation.Tanh);
                readonly Gate gate = new(Width, true);
                public Tensor Forward([Input(Width)] Tensor x)
                {
                    var h = x;
                    for (int i = 0; i < Depth; i++)
                    {
                        if (i % 2 == 0) h = even.Forward(h);
                        else h = odd.Forward(h);
                        h += gate.Forward(h) * 0.5f;
                    }
                    return Step(h, 2);
                }
                Tensor Step(Tensor x, int times)
                {
                    for (int k = 0; k < times; k++) x = x - x.Exp() * 0.1f;
                    return x;
                }
                public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target);
            }
            """),
        ("Inference", """
            using Dl;
            namespace Fuzz;
            [Model]
            internal partial class Inference
            {
                readonly Dense features = new(12, 6, Activation.Sigmoid);
                readonly Dense scores = new(6, 3);
                public Tensor Forward([Input(3, 4)] Tensor x) => scores.Forward(features.Forward(x.Flatten())).Softmax();
            }
            """),
        ("InputGrad", """
            using Dl;
            namespace Fuzz;
            [Model]
            public partial class InputGrad
            {
                readonly Conv2d conv = new(1, 2, 3, activation: Activation.Relu);
                readonly Dense fc = new(2 * 4 * 4, 4);
                public Tensor Forward([Input(1, 6, 6, Gradient = true)] Tensor image) => fc.Forward(conv.Forward(image).Flatten());
                public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
            }
            """),
        ("Toolbox", """
            using Dl;
            namespace Fuzz;
            [Model]
            public partial class Toolbox
            {
                readonly DepthwiseSeparableConv2d sep = new(2, 4, 3, Padding.Same);
                readonly ConvTranspose2d up = new(4, 2, 2, stride: 2);
                readonly Conv2d mix = new(4, 3, 1);
                public Tensor Forward([Input(2, 4, 4)] Tensor image)
                {
                    var a = Nn.Elu(sep.Forward(image));
                    var b = Nn.AvgPool2d(up.Forward(a), 2);
                    var c = mix.Forward(Nn.Concat(b, image));
                    return Nn.GlobalAvgPool2d(Nn.Softplus(c) + Nn.Abs(c));
                }
                public Tensor Loss(Tensor y, Tensor target) => Nn.Mse(y, target) + Nn.L1(y) * 0.001f;
            }
            """),
        ("Nested", """
            using Dl;
            namespace Fuzz;
            [Layer]
            public partial class Inner(int width)
            {
                readonly Dense d = new(width, width);
                public Tensor Forward(Tensor x) => d.Forward(x).Relu();
            }
            [Layer]
            public partial class Outer(int width)
            {
                readonly Inner first = new(width);
                readonly Inner second = new(width);
                public Tensor Forward(Tensor x) => second.Forward(first.Forward(x)) + x;
            }
            [Model]
            public partial class Nested
            {
                const int Width = 5;
                readonly Outer outer = new(Width);
                readonly Dense head = new(Width, 2);
                public Tensor Forward([Input(Width)] Tensor x, [Input(Width)] Tensor mask) => head.Forward(Tree(x * mask, 2));
                Tensor Tree(Tensor x, int depth) => depth == 0 ? outer.Forward(x) : Tree(Tree(x, depth - 1), depth - 1);
                public Tensor Loss(Tensor y, [Input(2)] Tensor target) => Nn.Mse(y, target);
            }
            """),
    };
}
