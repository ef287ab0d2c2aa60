#!/usr/bin/env bash
# NativeAOT against the JIT on the same checkpoint: binary size, cold start to first prediction, latency per image.
#   samples/Inference/compare.sh        (from anywhere; writes into samples/Inference/out, git-ignored)
# Prints `name value unit` lines, the JIT's prefixed jit_, the native binary's aot_.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=samples/Inference/out
mkdir -p "$out"
weights="$out/mnist-mlp.safetensors"
dotnet build samples/Inference -c Release -nologo -v quiet
dll=samples/Inference/bin/Release/net10.0/Inference.dll
[ -f "$weights" ] || dotnet "$dll" --train --weights "$weights" --data data/mnist >/dev/null
dotnet publish samples/Inference -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=true -o "$out/aot" -nologo -v quiet
echo "aot_binary_size $(( $(stat -c %s "$out/aot/Inference") / 1024 )) KiB"
echo "jit_app_size $(( $(cat samples/Inference/bin/Release/net10.0/*.dll | wc -c) / 1024 )) KiB (its assemblies; the shared .NET runtime comes on top)"
for run in 1 2 3; do
  # The third run of each is reported: the first two warm the page cache.
  jit=$(DL_LAUNCH_UNIX_US=$(date +%s%6N) dotnet "$dll" --weights "$weights" --data data/mnist)
  aot=$(DL_LAUNCH_UNIX_US=$(date +%s%6N) "$out/aot/Inference" --weights "$weights" --data data/mnist)
done
sed 's/^\([a-z0-9_]* \)/jit_\1/' <<<"$jit" | grep -v '^#'
sed 's/^\([a-z0-9_]* \)/aot_\1/' <<<"$aot" | grep -v '^#'
