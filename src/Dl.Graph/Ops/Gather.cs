using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// Rows of a table picked by integer indices: table [V,D] and indices [N,T,...] give [N,T,...,D]
/// (an embedding lookup). An index outside 0..V-1 is an error at run time
/// (<see cref="IndexOutOfRangeException"/> naming it), never a read outside the table. Its VJP for
/// the table adds each gradient row into the row it was read from (<see cref="ScatterAddRowsOp"/>);
/// indices have no gradient.
/// </summary>
public sealed class GatherRowsOp : Op
{
    /// <param name="what">Names the lookup in the run-time error (e.g. <c>Embedding 'embed'</c>).</param>
    public GatherRowsOp(string what) => What = what;
    public string What { get; }
    public override string Name => "GatherRows";
    public override OpClass Class => OpClass.Layout;
    public override string Attributes => What;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var (table, indices) = (inputs[0], inputs[1]);
        if (table.Type != DType.Float32 || table.Shape.Rank != 2 || table.Shape.HasBatch)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"{What}: the table must be a float matrix [vocabulary, dimension], got {table.Shape}");
        if (indices.Type != DType.Int32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"{What}: the indices must be integers (Labels), got floats of shape {indices.Shape}");
        return (new Shape(indices.Shape.Append(table.Shape[1])), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var (table, indices) = (x[0], x[1]);
        int vocabulary = table.Dims[0], dimension = table.Dims[1];
        var y = TensorValue.Zeros(indices.Dims.Append(dimension).ToArray());
        for (int r = 0; r < indices.Length; r++)
            Array.Copy(table.Data, Row(indices[r], r, vocabulary, What) * dimension, y.Data, r * dimension, dimension);
        return y;
    }

    /// <summary>The index as a row, or the run-time error every backend gives for one outside the table.</summary>
    public static int Row(double index, int at, int vocabulary, string what) =>
        index >= 0 && index < vocabulary ? (int)index : throw OutOfRange(what, (long)index, at, vocabulary);

    public static IndexOutOfRangeException OutOfRange(string what, long index, int at, int vocabulary) =>
        new(string.Format(CultureInfo.InvariantCulture, "{0}: index {1} (element {2} of the indices) is outside the table's rows 0..{3}", what, index, at, vocabulary - 1));

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.ScatterAddRows(dy, y[1], y[0].Shape[0].Size), null };
}

/// <summary>
/// The transpose of <see cref="GatherRowsOp"/>: values [N,T,...,D] added into a zero table [V,D] at
/// the rows their indices name (repeated indices accumulate). Indices outside the table add nothing
/// (the gather that made them has already failed). Its VJP for the values gathers the gradient's rows.
/// </summary>
public sealed class ScatterAddRowsOp : Op
{
    public ScatterAddRowsOp(int vocabulary) => Vocabulary = vocabulary;
    public int Vocabulary { get; }
    public override string Name => "ScatterAddRows";
    public override OpClass Class => OpClass.Composite;
    public override string Attributes => "rows=" + Vocabulary.ToString(CultureInfo.InvariantCulture);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var (values, indices) = (inputs[0].Shape, inputs[1].Shape);
        if (Vocabulary < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"ScatterAddRows: the table needs at least one row, got {Vocabulary}");
        if (inputs[0].Type != DType.Float32 || inputs[1].Type != DType.Int32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"ScatterAddRows: expects float values and integer indices, got {inputs[0].Type} {values} and {inputs[1].Type} {indices}");
        if (values.Rank != indices.Rank + 1 || !values.Take(indices.Rank).SequenceEqual(indices) || values[values.Rank - 1].IsBatch)
            throw new ShapeException(ShapeErrorKind.Mismatch, $"ScatterAddRows: values {values} must be the indices' shape {indices} plus one row axis");
        return (new Shape(Dim.Of(Vocabulary), values[values.Rank - 1]), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var (values, indices) = (x[0], x[1]);
        int dimension = values.Dims[values.Rank - 1];
        var y = TensorValue.Zeros(new[] { Vocabulary, dimension });
        for (int r = 0; r < indices.Length; r++)
        {
            if (!(indices[r] >= 0 && indices[r] < Vocabulary)) continue;
            int row = (int)indices[r];
            for (int j = 0; j < dimension; j++) y.Data[row * dimension + j] += values.Data[r * dimension + j];
        }
        return y;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.Apply(new GatherRowsOp("ScatterAddRows' gradient"), dy, y[1]), null };
}

public sealed partial class GraphBuilder
{
    /// <summary>Rows of <paramref name="table"/> [V,D] at <paramref name="indices"/> [N,...]: [N,...,D].</summary>
    public Node GatherRows(Node table, Node indices, string what = "GatherRows") => Apply(new GatherRowsOp(what), table, indices);

    /// <summary><paramref name="values"/> [N,...,D] summed into a zero [<paramref name="vocabulary"/>, D] table at <paramref name="indices"/> [N,...].</summary>
    public Node ScatterAddRows(Node values, Node indices, int vocabulary) => Apply(new ScatterAddRowsOp(vocabulary), values, indices);
}

public static partial class Layers
{
    /// <summary>
    /// A lookup table of <paramref name="vocabulary"/> vectors of <paramref name="dimension"/> floats
    /// (PyTorch's <c>nn.Embedding</c> layout: parameter <c>&lt;path&gt;.weight</c> [vocabulary, dimension],
    /// Glorot-initialised): integer tokens [N,T] give [N,T,dimension].
    /// </summary>
    public static Node Embedding(GraphBuilder g, string path, Node tokens, int vocabulary, int dimension)
    {
        if (vocabulary <= 0 || dimension <= 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Embedding '{path}': sizes must be positive, got vocabulary {vocabulary} and dimension {dimension}");
        if (tokens.Type != DType.Int32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"Embedding '{path}': expects integer tokens (Labels), got floats of shape {tokens.Shape}");
        var weight = g.Param(path + ".weight", new Shape(vocabulary, dimension), Init.Glorot);
        return g.GatherRows(weight, tokens, $"Embedding '{path}'");
    }
}
