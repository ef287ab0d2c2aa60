#!/usr/bin/env bash
# Our Predict against ONNX Runtime on the same exported model, weights and inputs (MLP 784-128-10 at batch 1 and
# 1024, LeNet-5 at batch 1 and 64), then cold start to the first prediction on both sides, JIT and NativeAOT:
#   benchmarks/onnx-vs-ort.sh [--quick] [--no-aot] [--launches N]   (from anywhere; builds benchmarks/OnnxVsOrt in Release)
# Each model is exported with its generated ExportOnnx and checked first (ORT within 1e-4 of Predict, else exit 1).
# ORT: IOBinding over pinned arrays, ORT_ENABLE_ALL, sequential, 1 and 2 intra-op threads, the better one is
# ort_<figure>. Prints `name value unit` lines: ours_*, ort_*_t1, ort_*_t2, ort_*, ratio_* (ORT time / ours).
# Take ratios within one run: absolute times drift between processes on a shared VM.
# Cold start: the warm run writes <model>.onnx, <model>.safetensors, the first test digit and Predict's answer into
# benchmarks/OnnxVsOrt/out (git-ignored); each figure is then one fresh process (`OnnxVsOrt --cold ours|ort
# --model mlp|lenet`), timed from the shell's clock just before launch (DL_LAUNCH_UNIX_US) to the first
# prediction's logits. Ours: construct the model, Checkpoint.Load its safetensors weights, read the input, one
# Predict. ORT: InferenceSession from the .onnx (ORT_ENABLE_ALL, sequential, 1 intra-op thread), read the input,
# one Run. Both check the logits against the warm Predict (1e-4) after the clock stops. JIT: `dotnet OnnxVsOrt.dll`;
# NativeAOT: the project published with PublishAot into out/aot (ORT's libonnxruntime.so beside the binary; one
# binary holds both sides, so each pays for the other's code on disk). Ours and ORT launch alternately, N times
# each (default 3); the figure is the median of the N (the files and binaries were just written, so the page
# cache is warm from the start), the '#' line before it lists every launch. Lines: ours_cold_<model>_<jit|aot>,
# ort_cold_<model>_<jit|aot> (ms) and ratio_cold_<model>_<jit|aot> (ORT / ours).
# Options: --quick: short warm timings, 1 launch per cold figure, no NativeAOT (its publish takes ~1-2 min);
# --no-aot: skip the NativeAOT publish and its figures; --launches N: launches per cold figure.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
warm=(); aot=1; launches=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) warm+=(--quick); aot=0; launches=1 ;;
    --no-aot) aot=0 ;;
    --launches) launches="${2:?--launches needs a number}"; shift ;;
    -h|--help) sed -n 2,23p "$0"; exit 0 ;;
    *) echo "onnx-vs-ort: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac; shift
done
[[ "$launches" =~ ^[1-9][0-9]*$ ]] || { echo "onnx-vs-ort: --launches $launches: give a whole number of 1 or more" >&2; exit 2; }
if ! log="$(dotnet build benchmarks/OnnxVsOrt -c Release -nologo -v quiet -clp:ErrorsOnly 2>&1)"; then
  printf '%s\n' "$log" >&2; echo "onnx-vs-ort: build failed" >&2; exit 1
fi
out=benchmarks/OnnxVsOrt/out
dll=benchmarks/OnnxVsOrt/bin/Release/net10.0/OnnxVsOrt.dll
dotnet "$dll" --data data/mnist --out "$out" "${warm[@]}"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# cold KIND COMMAND...: for each model, ours and ORT launched alternately $launches times; median of each and the ratio.
cold() {
  local kind="$1"; shift
  local model side line
  for model in mlp lenet; do
    declare -A runs=([ours]="" [ort]="")
    for _ in $(seq "$launches"); do
      for side in ours ort; do
        line="$(DL_LAUNCH_UNIX_US=$(date +%s%6N) "$@" --cold "$side" --model "$model" --files "$out" | grep "^${side}_cold_${model} ")"
        runs[$side]+="$(awk '{print $2}' <<<"$line") "
      done
    done
    local ours ort
    ours=$(tr ' ' '\n' <<<"${runs[ours]}" | grep . | median); ort=$(tr ' ' '\n' <<<"${runs[ort]}" | grep . | median)
    echo "# cold ${model} ${kind}: ours ${runs[ours]}ms, ort ${runs[ort]}ms (each launch; median below)"
    echo "ours_cold_${model}_${kind} ${ours} ms"
    echo "ort_cold_${model}_${kind} ${ort} ms"
    echo "ratio_cold_${model}_${kind} $(awk -v a="$ort" -v b="$ours" 'BEGIN {printf "%.2f", a / b}') x"
  done
}
cold jit dotnet "$dll"
if [ "$aot" = 1 ]; then
  # Published beside the warm build's output (its own obj/…/linux-x64), so the JIT build stays as it is.
  if ! log="$(dotnet publish benchmarks/OnnxVsOrt -c Release -r linux-x64 -p:PublishAot=true -o "$out/aot" -nologo -v quiet -clp:ErrorsOnly 2>&1)"; then
    printf '%s\n' "$log" >&2; echo "onnx-vs-ort: NativeAOT publish failed (the JIT figures above stand)" >&2; exit 1
  fi
  [ -f "$out/aot/libonnxruntime.so" ] || { echo "onnx-vs-ort: $out/aot/libonnxruntime.so missing after publish" >&2; exit 1; }
  echo "# aot: $out/aot/OnnxVsOrt $(( $(stat -c %s "$out/aot/OnnxVsOrt") / 1024 )) KiB, libonnxruntime.so $(( $(stat -c %s "$out/aot/libonnxruntime.so") / 1024 )) KiB"
  cold aot "$out/aot/OnnxVsOrt"
fi
