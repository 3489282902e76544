#!/usr/bin/env bash
# The test command (README, .ci/run). Needs nothing beforehand on Debian: installs what is missing (a JDK 17,
# Maven, g++ for the emulated CUDA driver, Open MPI and iproute2 for the multi-process tests, OpenBLAS, fonts),
# then
#   1. compares the committed PTX (cuda-kernels/ptx/) with what nvcc makes of cuda-kernels/*.cu, where nvcc is
#      installed (always under CI),
#   2. runs the CUDA backend's GPU tests against the host emulation of the driver (scripts/test-cuda-emulated.sh),
#   3. compiles and runs every test with Maven and packs target/anneal.jar,
#   4. trains over two "hosts" (network namespaces joined by a veth pair) with Open MPI and cuts the link
#      (scripts/test-mpi-hosts.sh; needs root),
#   5. checks that the packed jar loads every kernel on the emulated driver, as on a user's GPU without nvcc.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh" g++ openmpi-bin libopenmpi-dev iproute2
cd "$root"
start=$SECONDS
# The tests use OpenBLAS as the CLI does (kernel family, idle-thread spin): same code paths, shorter runs.
source "$root/scripts/openblas-env.sh"

echo "== committed PTX against its sources"
bash scripts/build-ptx.sh --check

bash scripts/test-cuda-emulated.sh

echo "== every test (mvn verify)"
mvn -B -ntp verify 2>&1 | sed 's/\x1b\[0m//g'

echo "== two hosts in network namespaces (Open MPI over a veth pair)"
bash scripts/test-mpi-hosts.sh

echo "== the packed jar's kernels on the emulated driver (anneal devices)"
devices=$(LD_LIBRARY_PATH="$root/target-emu/emucuda" ANNEAL_CUDA_EMULATOR=1 ANNEAL_CUDA_EMULATOR_DEVICES=2 \
    java -jar target/anneal.jar devices 2>/dev/null)
echo "$devices" | sed 's/^/  /'
if ! grep -q '^cuda:1: .*; ready' <<<"$devices" || ! grep -q '^CUDA: on' <<<"$devices"; then
  echo "FAIL: target/anneal.jar does not load its kernels on the emulated driver" >&2
  exit 1
fi
echo "anneal: every test passed in $((SECONDS - start)) s"
