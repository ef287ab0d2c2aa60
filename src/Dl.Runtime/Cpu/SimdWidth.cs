using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Dl.Cpu;

/// <summary>
/// One vector width as a type argument: a kernel written once as Kernel&lt;TW, TV&gt; (TW one of the
/// structs below, TV its vector type) is compiled by the JIT once per width, each copy with real
/// Vector512/256/128 locals and every member inlined, so the math is not copied out three times
/// (System.Runtime.Intrinsics' own ISimdVector is internal in .NET 10).
/// </summary>
internal unsafe interface ISimdWidth<TV> where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Lanes { get; }

    static abstract TV Load(float* p);

    static abstract void Store(TV v, float* p);

    /// <summary>Every lane x.</summary>
    static abstract TV Splat(float x);

    /// <summary>Every lane *p: one broadcast from memory (the JIT makes Vector128.Create(*p) a load and a shuffle without AVX2).</summary>
    static abstract TV SplatAt(float* p);

    static abstract TV Add(TV a, TV b);

    /// <summary>
    /// a·b + c: one fused instruction where the hardware has one; on x86 without FMA3 (SSE or AVX
    /// only, e.g. DOTNET_EnableAVX2=0) a multiply then an add, because Vector128.FusedMultiplyAdd
    /// there is a per-lane software fallback (measured 0.3 against 24 GFLOP/s for the GEMM kernel in L1).
    /// </summary>
    static abstract TV MulAdd(TV a, TV b, TV c);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TV v);

    /// <summary>act at this width (an operator struct's Invoke overload for TV).</summary>
    static abstract TV Apply<TAct>(in TAct act, TV v) where TAct : struct, Dl.Operators.IUnaryOperator;
}

/// <summary>The widest accelerated width, for dispatch: 512, 256, 128, or 0 when there is no SIMD.</summary>
internal static class SimdWidth
{
    public static int Bits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>Floats per vector of the widest accelerated width (1 without SIMD).</summary>
    public static int Lanes => Bits == 0 ? 1 : Bits / 32;
}

internal unsafe struct W512 : ISimdWidth<Vector512<float>>
{
    public static int Lanes => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> SplatAt(float* p) => Vector512.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply<TAct>(in TAct act, Vector512<float> v) where TAct : struct, Dl.Operators.IUnaryOperator => act.Invoke(v);
}

internal unsafe struct W256 : ISimdWidth<Vector256<float>>
{
    public static int Lanes => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> SplatAt(float* p) => Vector256.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Vector256.FusedMultiplyAdd(a, b, c) : a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => Vector256.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply<TAct>(in TAct act, Vector256<float> v) where TAct : struct, Dl.Operators.IUnaryOperator => act.Invoke(v);
}

internal unsafe struct W128 : ISimdWidth<Vector128<float>>
{
    public static int Lanes => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SplatAt(float* p) => Avx.IsSupported ? Avx.BroadcastScalarToVector128(p) : Vector128.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> v) => Vector128.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Apply<TAct>(in TAct act, Vector128<float> v) where TAct : struct, Dl.Operators.IUnaryOperator => act.Invoke(v);
}

/// <summary>
/// x86 with AVX but not AVX2 (Sandy/Ivy Bridge, or DOTNET_EnableAVX2=0): .NET then reports
/// Vector256 as not accelerated (its integer half needs AVX2), yet AVX's 256-bit float multiply, add,
/// broadcast, load and store are there, twice the work per instruction of Vector128. No FMA (FMA3
/// came with AVX2): a multiply then an add. Only for float-only kernels that call nothing else.
/// </summary>
internal unsafe struct W256Avx : ISimdWidth<Vector256<float>>
{
    public static int Lanes => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Avx.LoadVector256(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => Avx.Store(p, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Avx.BroadcastScalarToVector256(&x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> SplatAt(float* p) => Avx.BroadcastScalarToVector256(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => Avx.Add(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Avx.Add(Avx.Multiply(a, b), c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v) => W128.Sum(Sse.Add(Avx.ExtractVector128(v, 0), Avx.ExtractVector128(v, 1)));

    /// <summary>Through the two halves: an operator's Vector256 overload would fall back to software here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply<TAct>(in TAct act, Vector256<float> v) where TAct : struct, Dl.Operators.IUnaryOperator =>
        Vector256.Create(act.Invoke(Avx.ExtractVector128(v, 0)), act.Invoke(Avx.ExtractVector128(v, 1)));
}
