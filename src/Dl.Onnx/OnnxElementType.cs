namespace Dl.Onnx;

/// <summary>The ONNX element types an exported graph uses (the values of ONNX's <c>TensorProto.DataType</c>).</summary>
public enum OnnxElementType
{
    /// <summary>32-bit float (ONNX FLOAT, 1).</summary>
    Float = 1,
    /// <summary>32-bit signed integer (ONNX INT32, 6): labels and token ids.</summary>
    Int32 = 6,
    /// <summary>64-bit signed integer (ONNX INT64, 7): shapes, axes and indices.</summary>
    Int64 = 7,
    /// <summary>Boolean (ONNX BOOL, 9): comparison results before they are cast to float.</summary>
    Bool = 9,
}
