#!/usr/bin/env bash
# GPU figures: ours and PyTorch's on the same work, in one run on the GPU machine (which has no .NET).
#
#   benchmarks/gpu/run.sh publish          here: self-contained single-file builds into benchmarks/gpu/out/
#                                           (bench/ ~40 MB: this benchmark; mnist/ ~40 MB: samples/Mnist) and
#                                           a copy of ../shared/peers/torch_gpu.py (out/ is git-ignored)
#   benchmarks/gpu/run.sh bench            on the GPU machine, carrying benchmarks/gpu/out/bench and out/torch:
#                                           our train step and GEMM figures, then PyTorch's, as `name value unit`
#   benchmarks/gpu/run.sh mnist            on the GPU machine, carrying benchmarks/gpu/out/mnist and data/:
#                                           the MNIST sample trained with --device cuda
#
# Two carries, not one: the device tool carries at most 64 MiB and each self-contained binary is ~40 MB.
# With the `run` tool: run(command="benchmarks/gpu/run.sh bench", carry=["benchmarks/gpu/out/bench", "benchmarks/gpu/out/torch"])
# then run(command="benchmarks/gpu/run.sh mnist", carry=["benchmarks/gpu/out/mnist"]).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=benchmarks/gpu/out
publish=(-c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none)

case "${1:-}" in
  publish)
    rm -rf "$out" && mkdir -p "$out/torch"
    dotnet publish benchmarks/gpu "${publish[@]}" -o "$out/bench" -nologo -v quiet
    dotnet publish samples/Mnist "${publish[@]}" -o "$out/mnist" -nologo -v quiet
    peer=../shared/peers/torch_gpu.py
    if [ -f "$peer" ]; then cp "$peer" "$out/torch/"; else echo "run.sh: $peer not found: PyTorch's figures will be missing" >&2; fi
    du -sh "$out"/*
    ;;
  bench)
    [ -x "$out/bench/Dl.Benchmarks.Gpu" ] || { echo "run.sh: $out/bench is missing: run 'benchmarks/gpu/run.sh publish' here and carry it" >&2; exit 1; }
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/# gpu: /'
    "$out/bench/Dl.Benchmarks.Gpu" --device cuda
    if [ -f "$out/torch/torch_gpu.py" ]; then python3 "$out/torch/torch_gpu.py"; else echo "# torch_gpu.py not carried: no PyTorch figures"; fi
    ;;
  mnist)
    [ -x "$out/mnist/Mnist" ] || { echo "run.sh: $out/mnist is missing: run 'benchmarks/gpu/run.sh publish' here and carry it" >&2; exit 1; }
    "$out/mnist/Mnist" --device cuda --data data/mnist
    ;;
  *)
    echo "usage: benchmarks/gpu/run.sh publish|bench|mnist   (see the comment at the top)" >&2
    exit 2
    ;;
esac
