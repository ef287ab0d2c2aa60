#!/usr/bin/env bash
# Our Predict against ONNX Runtime on the same exported model, weights and inputs (MLP 784-128-10 at batch 1 and
# 1024, LeNet-5 at batch 1 and 64):
#   benchmarks/onnx-vs-ort.sh [--quick]      (from anywhere; builds benchmarks/OnnxVsOrt in Release)
# Each model is exported with its generated ExportOnnx and checked first (ORT within 1e-4 of Predict, else exit 1).
# ORT: IOBinding over pinned arrays, ORT_ENABLE_ALL, sequential, 1 and 2 intra-op threads, the better one is
# ort_<figure>. Prints `name value unit` lines: ours_*, ort_*_t1, ort_*_t2, ort_*, ratio_* (ORT time / ours).
# Take ratios within one run: absolute times drift between processes on a shared VM.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
if ! log="$(dotnet build benchmarks/OnnxVsOrt -c Release -nologo -v quiet -clp:ErrorsOnly 2>&1)"; then
  printf '%s\n' "$log" >&2; echo "onnx-vs-ort: build failed" >&2; exit 1
fi
dotnet benchmarks/OnnxVsOrt/bin/Release/net10.0/OnnxVsOrt.dll --data data/mnist "$@"
