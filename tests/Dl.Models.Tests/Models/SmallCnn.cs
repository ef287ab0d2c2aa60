using Dl;

namespace Dl.Models.Tests.Models;

/// <summary>
/// Every convolutional op in one small classifier: strided, padded, dilated, grouped ("same") and
/// depthwise-separable convolutions; leaky ReLU, ELU and softplus; concatenation along channels;
/// max, average and global average pooling; L1 and L2 penalties in the loss.
/// </summary>
[Model]
public partial class SmallCnn
{
    readonly Conv2d stem = new(2, 4, 3, stride: 2, padding: 1, activation: Activation.Relu);      // [N,2,9,9] -> [N,4,5,5]
    readonly Conv2d dilated = new(4, 4, 3, padding: 2, dilation: 2);                                // [N,4,5,5]
    readonly Conv2d grouped = new(4, 4, 3, Padding.Same, groups: 2, activation: Activation.Tanh);   // [N,4,5,5]
    readonly DepthwiseSeparableConv2d separable = new(8, 6, 3, padding: 1);                        // [N,8,5,5] -> [N,6,5,5]
    readonly Param gain = new(Init.Ones, 12);
    readonly Dense head = new(12, 3);

    public Tensor Forward([Input(2, 9, 9)] Tensor x)
    {
        var h = stem.Forward(x);
        var a = Nn.LeakyRelu(dilated.Forward(h), 0.1f);
        var b = grouped.Forward(h).Elu(0.5f);
        var s = Nn.Softplus(separable.Forward(Nn.Concat(a, b)));
        var m = Nn.MaxPool2d(s, 3, 2, 1);                                   // [N,6,3,3], overlapping windows
        var p = Nn.AvgPool2d(m, 2, 1);                                      // [N,6,2,2]
        var features = Nn.Concat(Nn.GlobalAvgPool2d(p), Nn.GlobalAvgPool2d(m)) * gain;   // [N,12]
        return head.Forward(features);
    }

    public Tensor Loss(Tensor logits, Labels label) =>
        Nn.CrossEntropy(logits, label) + 0.01f * Nn.L1(gain) + 0.001f * Nn.L2(gain);
}
