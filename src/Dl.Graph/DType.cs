namespace Dl.Graph;

/// <summary>Element types. Float32 for all values; Int32 for class labels.</summary>
public enum DType { Float32, Int32 }
