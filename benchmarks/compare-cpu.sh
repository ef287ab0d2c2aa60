#!/usr/bin/env bash
# Our CPU figures and TorchSharp's on the same work, in one session, with the ratios.
#   benchmarks/compare-cpu.sh            (from the repository root; ../shared must sit beside it)
# Prints `name value unit` lines: ours, the peer's, then `ratio_<figure> X x` (peer time / our time; for
# the GEMM throughputs our GFLOP/s / the peer's). Then ours again at the narrower SIMD widths, each figure
# named with a suffix (GEMM, MLP and LeNet-5), and their ratios to the same peer figures (the peer, native libtorch, keeps its own
# width): _w256 with AVX-512 off (DOTNET_EnableAVX512=0: AVX2 + FMA), _w128 with AVX2 off (DOTNET_EnableAVX2=0:
# .NET accelerates only Vector128; x86's GEMM kernel still uses AVX's 256-bit float math, without FMA), and
# _w128sse with AVX off too (SSE only: the Vector128 GEMM kernel, the one ARM64 NEON runs; GEMM only).
set -euo pipefail
cd "$(dirname "$0")/.."
peer=../shared/peers/torchsharp/run.sh
[ -x "$peer" ] || { echo "compare-cpu: $peer not found (../shared must sit beside the repository)" >&2; exit 1; }

ours=$(dotnet run -c Release --project benchmarks/Dl.Benchmarks -- --quick | grep -v '^#')
# cnn: the peer's LeNet-5 step (it has no LeNet inference figure, so lenet_infer_b1 gets no ratio); lstm: its
# LSTM(28, 128) step (nor an LSTM inference figure).
theirs=$("$peer" mlp infer cnn lstm gemm --quick | grep -v '^#')
printf '%s\n%s\n' "$ours" "$theirs"
for f in mlp_train_step_b64 mlp_train_step_b256 mlp_infer_b1 mlp_infer_b1024 lenet_train_step_b64 lstm_train_step_b64; do
  o=$(awk -v n="$f" '$1==n {print $2}' <<<"$ours")
  t=$(awk -v n="torchsharp_$f" '$1==n {v=$2; if ($3=="ms") v*=1000; print v}' <<<"$theirs")
  [ -n "$o" ] && [ -n "$t" ] && awk -v f="$f" -v o="$o" -v t="$t" 'BEGIN {printf "ratio_%s %.2f x\n", f, t / o}'
done
# Throughputs: ours over the peer's.
gemm_ratios() {   # $1: our figures, $2: the suffix of their names
  for f in sgemm_256 sgemm_1024; do
    o=$(awk -v n="$f$2" '$1==n {print $2}' <<<"$1")
    t=$(awk -v n="torchsharp_$f" '$1==n {print $2}' <<<"$theirs")
    [ -n "$o" ] && [ -n "$t" ] && awk -v f="$f$2" -v o="$o" -v t="$t" 'BEGIN {printf "ratio_%s %.2f x\n", f, o / t}'
  done
  return 0
}
gemm_ratios "$ours" ""

# The narrower widths (the build above is reused): GEMM, the MLP and LeNet-5 figures, SSE-only GEMM alone.
narrow() {   # $1: the DOTNET_Enable* setting, $2: the suffix, $3...: the groups
  local setting=$1 suffix=$2; shift 2
  env "$setting" dotnet run --no-build -c Release --project benchmarks/Dl.Benchmarks -- --quick "$@" | grep -v '^#' | awk -v s="_$suffix" '{ $1 = $1 s; print }'
}
for width in "DOTNET_EnableAVX512=0 w256 gemm mlp lenet" "DOTNET_EnableAVX2=0 w128 gemm mlp lenet" "DOTNET_EnableAVX=0 w128sse gemm"; do
  set -- $width
  figures=$(narrow "$@")
  printf '%s\n' "$figures"
  for f in mlp_train_step_b64 mlp_train_step_b256 mlp_infer_b1 mlp_infer_b1024 lenet_train_step_b64; do
    o=$(awk -v n="${f}_$2" '$1==n {print $2}' <<<"$figures")
    t=$(awk -v n="torchsharp_$f" '$1==n {v=$2; if ($3=="ms") v*=1000; print v}' <<<"$theirs")
    [ -n "$o" ] && [ -n "$t" ] && awk -v f="${f}_$2" -v o="$o" -v t="$t" 'BEGIN {printf "ratio_%s %.2f x\n", f, t / o}'
  done
  gemm_ratios "$figures" "_$2"
done
