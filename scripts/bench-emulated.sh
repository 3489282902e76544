#!/usr/bin/env bash
# Runs a JMH benchmark of the CUDA backend's host side against the emulated driver (src/test/native, the
# libcuda.so.1 stand-in of scripts/test-cuda-emulated.sh) with its kernels switched off
# (ANNEAL_CUDA_EMULATOR_RUN_KERNELS=0: every launch is validated, none runs), so that what is timed is host work:
# the JVM, JCuda and the emulated driver's bookkeeping. No GPU is involved and no number it prints is a GPU time.
# Arguments go to JMH, e.g.:
#   scripts/bench-emulated.sh EagerStepHostBench -f 1 -wi 5 -i 10 -w 1s -r 1s
# ANNEAL_BENCH_BUILD_DIR (default target-bench-emu) is the build directory, so the run does not disturb target/.
# Needs bash, g++ and Maven only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="${ANNEAL_BENCH_BUILD_DIR:-target-bench-emu}"
native="$root/$build_dir/emucuda"
mkdir -p "$native"
src="$root/src/test/native"
"${CXX:-g++}" -std=c++17 -fPIC -ffp-contract=off -Wall -Wno-unknown-pragmas -O2 -shared -fvisibility=hidden \
    -o "$native/libcuda.so.1" "$src/emucuda.cpp" "$src"/k_*.cpp
mvn -q -B -ntp -Danneal.build.dir="$build_dir" -DskipTests test-compile 2>&1 | sed 's/\x1b\[0m//g' >&2
cp_file="$build_dir/bench.classpath"
mvn -q -B -ntp -Danneal.build.dir="$build_dir" dependency:build-classpath -Dmdep.outputFile="$cp_file" \
    -Dmdep.includeScope=test 2>&1 | sed 's/\x1b\[0m//g' >&2
export LD_LIBRARY_PATH="$native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export ANNEAL_CUDA_EMULATOR=1
export ANNEAL_CUDA_EMULATOR_RUN_KERNELS=0
export ANNEAL_CUDA_EMULATOR_DEVICES="${ANNEAL_CUDA_EMULATOR_DEVICES:-1}"
export ANNEAL_CUDA_EMULATOR_LOG="$root/$build_dir/emucuda-errors.log"
exec java -Djava.awt.headless=true -cp "$build_dir/test-classes:$build_dir/classes:$(cat "$cp_file")" \
    org.openjdk.jmh.Main "$@"
