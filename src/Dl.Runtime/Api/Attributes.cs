using System;

namespace Dl;

/// <summary>
/// Marks a <c>partial</c> class as a model. The DlCompiler generator reads its <c>Forward</c> method
/// (and <c>Loss</c>, when present) and generates the compiled model: parameter storage, Predict,
/// the backward pass and TrainStep.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute { }

/// <summary>
/// Marks a class as a reusable layer: fields holding parameters and other layers, and a
/// <c>Forward(Tensor)</c> method. Each instance owns its parameters; using one instance twice shares them.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LayerAttribute : Attribute { }

/// <summary>
/// Marks a method of a model as one more objective: a loss that trains only the named parts of the model, as
/// each of a GAN's two losses trains one of its two networks. Its first parameter receives Forward's output, the
/// rest are more inputs, as for <c>Loss</c>. The generator adds <c>Train{Method}(inputs..., optimizer)</c>, which
/// computes the gradients of the named parts only (the rest are not computed: their products are absent from the
/// generated code) and steps those parts only, and <c>Compute{Method}Gradients(inputs...)</c>.
/// </summary>
/// <example><code>
/// [Objective(nameof(discriminator))]
/// public Tensor DiscriminatorLoss(Tensor fake, [Input(784)] Tensor real) => ...;
/// </code></example>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ObjectiveAttribute : Attribute
{
    /// <summary>Names the parts the objective trains: fields of the model (<c>nameof(discriminator)</c>) or parameter paths ("encoder.hidden").</summary>
    /// <param name="trains">Fields or parameter paths; every parameter under one of them is trained.</param>
    public ObjectiveAttribute(params string[] trains) => Trains = trains;

    /// <summary>The parts the objective trains: fields or parameter paths.</summary>
    public string[] Trains { get; }
}

/// <summary>
/// Freezes a layer or parameter field at build time: its parameters keep their values through <c>TrainStep</c>,
/// <c>Backward</c> and every objective, and their weight-gradient products are not in the generated backward pass
/// at all (fine-tuning a head on a pretrained body computes only the head's gradients). Optimizers skip them too
/// (<see cref="Freezing.IsFrozen"/> is true); unlike a run-time freeze it cannot be undone without a rebuild.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class FrozenAttribute : Attribute { }

/// <summary>
/// The shape of one sample of a model input, without the batch dimension, which is always first:
/// <c>[Input(784)] Tensor x</c> is a <c>[N,784]</c> batch.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the per-sample shape, e.g. <c>[Input(784)]</c> or <c>[Input(1, 28, 28)]</c>; arguments must be compile-time constants.</summary>
    /// <param name="shape">The sizes of the axes after the batch axis.</param>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The sizes of the axes after the batch axis.</summary>
    public int[] Shape { get; }

    /// <summary>Generate <c>InputGradient</c>: the loss's gradient with respect to this input.</summary>
    public bool Gradient { get; set; }
}
