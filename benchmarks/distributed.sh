#!/usr/bin/env bash
# Data-parallel training figures on this machine: steps per second and the allreduce's share of a step for the MNIST
# MLP and LeNet-5 at a global batch of 64, over 1 and 2 ranks; bucketed non-blocking allreduces against one; and the
# allreduce alone at 16 to 1,000,000 floats over shared memory and over loopback TCP (for the cost per byte).
#   benchmarks/distributed.sh            (from anywhere; DL_MPIRUN=mpirun.openmpi to pick a launcher)
# Prints `name value unit` lines; `_r2` is two ranks, `_1thread` without the GEMM helper thread (DL_THREADS=1).
# This machine has 2 cores: two ranks compete with each other (and each rank's helper thread) for them.
set -euo pipefail
cd "$(dirname "$0")/.."
mpirun=${DL_MPIRUN:-mpirun}
command -v "$mpirun" >/dev/null || { echo "distributed.sh: $mpirun not found; apt-get install mpich" >&2; exit 1; }
launch=("$mpirun")
if "$mpirun" --version 2>&1 | grep -q "Open MPI"; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  launch+=(--oversubscribe -x DL_THREADS -x DL_BENCH_TAG)
  tcp=(--mca pml ob1 --mca btl self,tcp)
else
  # MPICH (ch4): treat the other rank as remote, and let UCX carry it over TCP only.
  tcp=(-genv MPIR_CVAR_NOLOCAL 1 -genv UCX_TLS tcp,self)
fi
dotnet build benchmarks/Distributed -c Release -nologo -v q >/dev/null
dll=benchmarks/Distributed/bin/Release/net10.0/Dl.Benchmarks.Distributed.dll
echo "# $("$mpirun" --version 2>&1 | grep -m1 -E "Open MPI|Version:" | tr -s " \t" " "); $(nproc) cores; load average $(cut -d" " -f1 /proc/loadavg)"
"${launch[@]}" -np 1 dotnet "$dll"
"${launch[@]}" -np 2 dotnet "$dll"
DL_THREADS=1 DL_BENCH_TAG=1thread "${launch[@]}" -np 1 dotnet "$dll"
DL_THREADS=1 DL_BENCH_TAG=1thread "${launch[@]}" -np 2 dotnet "$dll"
DL_BENCH_TAG=tcp "${launch[@]}" "${tcp[@]}" -np 2 dotnet "$dll" allreduce
