using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Dl.Gpu;

/// <summary>
/// One ILGPU accelerator with the stream every model on it enqueues its work on, and the runtime
/// kernels loaded once for it. Host↔device transfers go through <see cref="Upload{T}"/> and
/// <see cref="Download{T}"/>, which count them (tests check a train step moves only its batch).
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context _context;
    private GpuKernels? _kernels;

    private GpuDevice(DeviceKind kind, Context context, Accelerator accelerator)
    {
        Kind = kind;
        _context = context;
        Accelerator = accelerator;
        Stream = accelerator.CreateStream();
    }

    public DeviceKind Kind { get; }
    public Accelerator Accelerator { get; }
    /// <summary>The stream all work is enqueued on, in order; nothing waits for it until a read-back.</summary>
    public AcceleratorStream Stream { get; }
    public string Name => Accelerator.Name;

    /// <summary>The hand-written kernels (GEMM, row-wise and reductions, SGD), compiled on first use and kept for the device's life.</summary>
    public GpuKernels Kernels => _kernels ??= new GpuKernels(this);

    /// <summary>Host→device transfers so far (calls and bytes).</summary>
    public long Uploads { get; private set; }
    public long UploadedBytes { get; private set; }
    /// <summary>Device→host transfers so far (calls and bytes).</summary>
    public long Downloads { get; private set; }
    public long DownloadedBytes { get; private set; }

    /// <summary>True when ILGPU finds a device of this kind (always true for the CPU backend and the CPU accelerator).</summary>
    public static bool Available(DeviceKind kind)
    {
        if (kind is DeviceKind.Cpu or DeviceKind.CpuAccelerator) return true;
        try
        {
            using var context = CreateContext(kind);
            return Devices(context, kind).Count > 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>Every accelerator ILGPU can see, one per line ("Cuda: NVIDIA H100 ..."), for error messages and logs.</summary>
    public static string Describe()
    {
        try
        {
            using var context = Context.Create(b => b.AllAccelerators());
            var found = context.Devices.Select(d => $"{d.AcceleratorType}: {d.Name}").ToList();
            return found.Count == 0 ? "none" : string.Join("; ", found);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "none (ILGPU could not enumerate devices: " + e.Message + ")";
        }
    }

    /// <summary>
    /// Opens the <paramref name="index"/>-th device of <paramref name="kind"/>. Throws
    /// <see cref="InvalidOperationException"/> naming the accelerators that are present when there is none.
    /// </summary>
    public static GpuDevice Create(DeviceKind kind, int index = 0)
    {
        if (kind == DeviceKind.Cpu)
            throw new ArgumentException("DeviceKind.Cpu is the CPU backend: call the model class itself; a GpuDevice is Cuda, OpenCL or CpuAccelerator", nameof(kind));
        var context = CreateContext(kind);
        try
        {
            var devices = Devices(context, kind);
            if (index < 0 || index >= devices.Count)
                throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                    "no {0} device{1}: ILGPU found {2}", kind, index == 0 ? "" : " number " + index, Describe()));
            return new GpuDevice(kind, context, devices[index].CreateAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static Context CreateContext(DeviceKind kind) => Context.Create(b =>
    {
        var builder = kind switch
        {
            DeviceKind.Cuda => b.Cuda(),
            DeviceKind.OpenCL => b.OpenCL(),
            // Warps of 32 and groups of up to 256 threads, as the kernels are written for (the
            // default CPU device allows only 16 threads a group).
            DeviceKind.CpuAccelerator => b.CPU(CPUDeviceKind.AMD),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        // MathF.Exp/Log/Tanh in kernels become ILGPU.Algorithms' XMath on every backend (the CPU
        // accelerator included, so the emulator checks the math the GPU runs). No fast-math mode:
        // results should stay close to the CPU backend's. O1: ILGPU's default optimisations.
        builder.EnableAlgorithms().Optimize(OptimizationLevel.O1);
    });

    private static IReadOnlyList<Device> Devices(Context context, DeviceKind kind)
    {
        var type = kind switch
        {
            DeviceKind.Cuda => AcceleratorType.Cuda,
            DeviceKind.OpenCL => AcceleratorType.OpenCL,
            _ => AcceleratorType.CPU,
        };
        return context.Devices.Where(d => d.AcceleratorType == type).ToList();
    }

    /// <summary>
    /// Compiles the implicitly grouped kernel <paramref name="method"/> (a static method of
    /// <paramref name="owner"/> whose first parameter is its Index1D) into a typed launcher: the
    /// generated models load each kernel once, in their constructor. ILGPU caches compiled kernels
    /// per accelerator, so a second model of the same class compiles nothing.
    /// </summary>
    public TDelegate LoadKernel<TDelegate>(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type owner,
        string method) where TDelegate : Delegate
    {
        var info = owner.GetMethod(method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(owner.FullName, method);
        return Accelerator.LoadAutoGroupedKernel<TDelegate>(info);
    }

    /// <summary>Copies host data into a device view on <see cref="Stream"/> (ILGPU waits for the stream when the copy is done).</summary>
    public unsafe void Upload<T>(ReadOnlySpan<T> source, ArrayView<T> destination) where T : unmanaged
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"upload of {source.Length} values into a device view of {destination.Length}");
        if (source.IsEmpty) return;
        // Pinned for the copy: ILGPU takes the reference's address as a raw pointer, and a collection that
        // moved the array in the middle of the copy would leave it reading the array's old address.
        fixed (T* pinned = source)
            destination.CopyFromCPU(Stream, ref Unsafe.AsRef<T>(pinned), source.Length);
        Uploads++;
        UploadedBytes += (long)source.Length * Unsafe.SizeOf<T>();
    }

    /// <summary>Copies a device view to host memory, waiting for everything enqueued before it.</summary>
    public unsafe void Download<T>(ArrayView<T> source, Span<T> destination) where T : unmanaged
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"download of a device view of {source.Length} values into {destination.Length}");
        if (destination.IsEmpty) return;
        // Wait explicitly on both sides of the copy: whether a stream-ordered copy waits for earlier kernels,
        // and returns only once done, differs between ILGPU's backends. Pinned for the copy (see Upload):
        // unpinned, a collection in the middle of it moved a fresh array and the values went to its old
        // address, leaving zeros (the optimizer state a CI run once read back; GpuTransferTests).
        Stream.Synchronize();
        fixed (T* pinned = destination)
            source.CopyToCPU(Stream, ref Unsafe.AsRef<T>(pinned), destination.Length);
        Stream.Synchronize();
        Downloads++;
        DownloadedBytes += (long)destination.Length * Unsafe.SizeOf<T>();
    }

    /// <summary>Waits until everything enqueued on <see cref="Stream"/> has run.</summary>
    public void Synchronize() => Stream.Synchronize();

    public override string ToString() => $"{Kind}: {Name}";

    public void Dispose()
    {
        _kernels?.Dispose();
        Stream.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}
