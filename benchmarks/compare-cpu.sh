#!/usr/bin/env bash
# Our CPU figures and TorchSharp's on the same work, in one session, with the ratios.
#   benchmarks/compare-cpu.sh            (from the repository root; ../shared must sit beside it)
# Prints `name value unit` lines: ours, the peer's, then `ratio_<figure> X x` (peer time / our time; for
# the GEMM throughputs our GFLOP/s / the peer's).
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
for f in sgemm_256 sgemm_1024; do
  o=$(awk -v n="$f" '$1==n {print $2}' <<<"$ours")
  t=$(awk -v n="torchsharp_$f" '$1==n {print $2}' <<<"$theirs")
  [ -n "$o" ] && [ -n "$t" ] && awk -v f="$f" -v o="$o" -v t="$t" 'BEGIN {printf "ratio_%s %.2f x\n", f, o / t}'
done
