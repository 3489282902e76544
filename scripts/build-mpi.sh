#!/usr/bin/env bash
# Builds the MPI shim (src/main/native/mpi/anneal_mpi.c, and anneal_nccl.c: NCCL's natives, which dlopen
# libnccl.so.2 at run time and need no NCCL to build) into OUT_DIR/native/libanneal_mpi.so with mpicc, where
# OUT_DIR is the first argument (default: target, the directory of target/anneal.jar). The shim is optional, like
# nvcc's PTX: without mpicc this prints one line and exits 0, and Anneal runs single-process.
# Usage: scripts/build-mpi.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="${1:-$root/target}"
source_file="$root/src/main/native/mpi/anneal_mpi.c"
nccl_file="$root/src/main/native/mpi/anneal_nccl.c"
library="$out_dir/native/libanneal_mpi.so"
if ! command -v mpicc >/dev/null 2>&1; then
  echo "anneal: no mpicc: the MPI shim is not built; multi-process training needs libopenmpi-dev" >&2
  exit 0
fi
if [[ -f "$library" && "$library" -nt "$source_file" && "$library" -nt "$nccl_file" ]]; then
  exit 0
fi
# The JDK's headers: javac's real path is JDK_HOME/bin/javac.
javac_path="$(command -v javac || true)"
if [[ -z "$javac_path" ]]; then
  echo "anneal: no javac: the MPI shim is not built (it needs the JDK's jni.h)" >&2
  exit 0
fi
jdk_home="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
mkdir -p "$out_dir/native"
mpicc -shared -fPIC -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
  -I"$jdk_home/include" -I"$jdk_home/include/linux" \
  -o "$library.tmp" "$source_file" "$nccl_file" -ldl
mv "$library.tmp" "$library"
echo "anneal: built $library ($(mpicc --showme:version 2>&1 | head -1))" >&2
