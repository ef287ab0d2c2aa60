using System;

namespace Dl.Graph;

/// <summary>
/// One dimension of a shape: a static size, or the symbolic batch size <c>N</c> that is only
/// known when a batch arrives. Every batch-dependent buffer is <c>StaticCount * N</c> floats,
/// which is what lets the memory planner lay out one arena for every batch size.
/// </summary>
public readonly struct Dim : IEquatable<Dim>
{
    private readonly int _value; // -1 encodes the batch dim

    private Dim(int value) => _value = value;

    /// <summary>The symbolic batch dimension, printed as <c>N</c>.</summary>
    public static Dim Batch => new(-1);

    public static Dim Of(int size) =>
        size >= 0 ? new Dim(size) : throw new ArgumentOutOfRangeException(nameof(size), size, "a static dimension cannot be negative");

    public bool IsBatch => _value < 0;

    /// <summary>The static size; throws for the batch dim.</summary>
    public int Size => _value >= 0 ? _value : throw new InvalidOperationException("the batch dimension has no static size");

    public int Resolve(int batch) => _value >= 0 ? _value : batch;

    public static implicit operator Dim(int size) => Of(size);

    public bool Equals(Dim other) => _value == other._value;
    public override bool Equals(object? obj) => obj is Dim d && Equals(d);
    public override int GetHashCode() => _value;
    public static bool operator ==(Dim a, Dim b) => a._value == b._value;
    public static bool operator !=(Dim a, Dim b) => a._value != b._value;
    public override string ToString() => IsBatch ? "N" : _value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
