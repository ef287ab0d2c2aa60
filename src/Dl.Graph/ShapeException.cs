using System;

namespace Dl.Graph;

/// <summary>What kind of rule a graph broke; the front end maps each kind to a diagnostic ID.</summary>
public enum ShapeErrorKind
{
    /// <summary>Operand shapes do not fit together (message names the op and both shapes).</summary>
    Mismatch,
    /// <summary>A tensor of the wrong rank was given to an op or a layer.</summary>
    WrongRank,
    /// <summary>An axis outside the tensor's rank.</summary>
    BadAxis,
    /// <summary>A tensor of the wrong element type (e.g. float labels).</summary>
    WrongType,
    /// <summary>An invalid op argument (a negative size, a reshape that changes the element count).</summary>
    BadArgument,
    /// <summary>A tensor's channels do not match what a convolution's weight or a layer expects.</summary>
    ChannelMismatch,
    /// <summary>A (dilated) convolution kernel larger than the padded input it slides over.</summary>
    KernelTooLarge,
    /// <summary>Sizes that leave a convolution or pooling with no output (a size of zero or less).</summary>
    EmptyOutput,
    /// <summary>A stride or dilation that is zero or negative.</summary>
    BadStride,
    /// <summary>A pooling window larger than the padded input.</summary>
    PoolTooLarge,
    /// <summary>A tensor, or a total the compiled code must index (parameters, arena), past what an int counts.</summary>
    TooLarge,
}

/// <summary>A shape rule failed. The message is written for the model's author.</summary>
public sealed class ShapeException : Exception
{
    public ShapeException(ShapeErrorKind kind, string message) : base(message) => Kind = kind;
    public ShapeErrorKind Kind { get; }
}
