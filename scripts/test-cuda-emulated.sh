#!/usr/bin/env bash
# Runs the CUDA backend's gpu-tagged tests without a GPU: builds the test-only host emulation of the CUDA driver
# (src/test/native: libcuda.so.1 whose kernels are cuda-kernels/*.cu compiled with g++), runs the kernels once
# under AddressSanitizer from a native driver (each kernel on small inputs, plus a planted out-of-bounds write
# that ASan must catch), then runs `mvn test -Dgroups=gpu` with JCuda loading the emulated driver (among them
# CudaTrainCommandTest: `anneal train` on one and two emulated devices follows the CPU run's loss curve). Fails if
# any gpu-tagged test is skipped: under emulation every one of them must run. Needs bash, g++ and Maven only.
# Emulation proves host code, JCuda marshalling, launch geometry, indexing and kernel arithmetic; it says nothing
# about GPU speed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="${ANNEAL_EMU_BUILD_DIR:-target-emu}"
native="$root/$build_dir/emucuda"
mkdir -p "$native"
src="$root/src/test/native"
cxx="${CXX:-g++}"
flags=(-std=c++17 -fPIC -ffp-contract=off -Wall -Wno-unknown-pragmas)

# The planted-bug tests make the driver return errors on purpose; its error lines go to this log, shown only when
# a test fails.
export ANNEAL_CUDA_EMULATOR_LOG="$root/$build_dir/emucuda-errors.log"
rm -f "$ANNEAL_CUDA_EMULATOR_LOG"
show_driver_log() {
  if [[ -s "$ANNEAL_CUDA_EMULATOR_LOG" ]]; then
    echo "-- the emulated driver's error lines ($ANNEAL_CUDA_EMULATOR_LOG), last 40:" >&2
    tail -40 "$ANNEAL_CUDA_EMULATOR_LOG" >&2
  fi
}
provoked() {
  local n
  n=$(cat "$ANNEAL_CUDA_EMULATOR_LOG" 2>/dev/null | grep -c '^emucuda: error' || true)
  echo "$n driver errors provoked on purpose by planted bugs, logged to $build_dir/emucuda-errors.log"
}

echo "== building $native/libcuda.so.1"
"$cxx" "${flags[@]}" -O1 -shared -fvisibility=hidden -o "$native/libcuda.so.1" \
    "$src/emucuda.cpp" "$src"/k_*.cpp

# The NCCL stand-in (collectives over MPI on the emulation's host memory) for the NCCL tests. Without Open MPI
# (mpicxx, mpirun) the tests that start MPI jobs (tag mpi) are left out, so that none of the rest is skipped.
nccl_groups=()
if command -v mpicxx >/dev/null 2>&1; then
  echo "== building $native/libnccl.so.2 (a test stand-in for NCCL over MPI)"
  mpicxx "${flags[@]}" -O1 -shared -fvisibility=hidden -o "$native/libnccl.so.2" "$src/fake_nccl.cpp" \
      -L"$native" -l:libcuda.so.1
else
  echo "no mpicxx: the NCCL stand-in is not built, and the tests that need Open MPI (tag mpi) are left out" >&2
  nccl_groups=(-DexcludedGroups=mpi)
fi

echo "== kernels under AddressSanitizer (native driver)"
"$cxx" "${flags[@]}" -O1 -g -fsanitize=address -fno-omit-frame-pointer -o "$native/kernel-asan-test" \
    "$src/kernel_asan_test.cpp" "$src/emucuda.cpp" "$src"/k_*.cpp -ldl
ASAN_OPTIONS=detect_leaks=0 "$native/kernel-asan-test" || { show_driver_log; exit 1; }
echo "kernels under ASan: $(provoked)"
# The planted bug: a kernel that writes one element past its buffer must be stopped by ASan.
if ASAN_OPTIONS=detect_leaks=0 "$native/kernel-asan-test" --planted-oob >"$native/planted.log" 2>&1; then
    echo "FAIL: the planted out-of-bounds write was not caught by AddressSanitizer" >&2
    exit 1
fi
if ! grep -q "heap-buffer-overflow" "$native/planted.log"; then
    echo "FAIL: the planted out-of-bounds write failed without an ASan report:" >&2
    tail -20 "$native/planted.log" >&2
    exit 1
fi
echo "planted out-of-bounds write: caught by ASan (heap-buffer-overflow)"

echo "== gpu-tagged tests against the emulated driver (compiles the project first: about 2 minutes)"
rm -rf "$build_dir/surefire-reports"
rm -f "$ANNEAL_CUDA_EMULATOR_LOG"
export LD_LIBRARY_PATH="$native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export ANNEAL_CUDA_EMULATOR=1
export ANNEAL_CUDA_EMULATOR_DEVICES="${ANNEAL_CUDA_EMULATOR_DEVICES:-2}"
mvn_quiet() {
  # Debian's Maven 3.8 prints stray colour resets even in quiet batch mode; strip them (pipefail keeps the status).
  if ! mvn -q -B -ntp -Danneal.build.dir="$build_dir" "$@" 2>&1 | sed 's/\x1b\[0m//g'; then
    show_driver_log
    return 1
  fi
}
mvn_quiet test -Dgroups='gpu | emulator' "${nccl_groups[@]}" -Dsurefire.failIfNoSpecifiedTests=false

# Every gpu-tagged test must run under the emulated driver: count the tests and the skipped ones in the reports.
reports=("$build_dir"/surefire-reports/TEST-*.xml)
[[ -f "${reports[0]}" ]] || { echo "FAIL: no test reports in $build_dir/surefire-reports" >&2; exit 1; }
read -r tests skipped < <(awk '
  /<testsuite / {
    if (match($0, / tests="[0-9]+"/)) t += substr($0, RSTART + 8, RLENGTH - 9)
    if (match($0, / skipped="[0-9]+"/)) s += substr($0, RSTART + 10, RLENGTH - 11)
  }
  END { print t + 0, s + 0 }' "${reports[@]}")
echo "emulated gpu suite: $tests tests, $skipped skipped ($(provoked))"
if [[ "$tests" -eq 0 || "$skipped" -ne 0 ]]; then
  grep -h -B1 '<skipped' "${reports[@]}" | sed -n 's/.*<testcase name="\([^"]*\)" classname="\([^"]*\)".*/SKIPPED \2.\1/p' >&2
  echo "FAIL: every gpu-tagged test must run under the emulated driver" >&2
  exit 1
fi

echo "== all-reduce tests with peer access off (ANNEAL_CUDA_EMULATOR_PEER=0: the host-staged path)"
ANNEAL_CUDA_EMULATOR_PEER=0 mvn_quiet surefire:test -Dgroups='gpu | emulator' \
    -Dtest='CudaAllReduceTest,CudaPeerAllReduceTest,EmulatedPeerPlantedBugsTest' -Dsurefire.failIfNoSpecifiedTests=false
echo "emulated gpu suite with peer access off: passed"
