namespace Dl.Gpu;

/// <summary>Where a compiled model runs.</summary>
public enum DeviceKind
{
    /// <summary>The CPU backend: the generated SIMD code of the model class itself (no ILGPU).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>An OpenCL device through ILGPU's OpenCL backend.</summary>
    OpenCL,
    /// <summary>
    /// ILGPU's CPU accelerator: an emulator that runs the GPU kernels on the CPU, thread by thread.
    /// For checking kernels where no GPU is present (tests, CI), never for speed.
    /// </summary>
    CpuAccelerator,
}
