#!/usr/bin/env bash
# Runs the CUDA backend's gpu-tagged tests without a GPU: builds the test-only host emulation of the CUDA driver
# (src/test/native: libcuda.so.1 whose kernels are cuda-kernels/*.cu compiled with g++), runs the kernels once
# under AddressSanitizer from a native driver (each kernel on small inputs, plus a planted out-of-bounds write
# that ASan must catch), then runs `mvn test -Dgroups=gpu` with JCuda loading the emulated driver. Fails if any
# gpu-tagged test is skipped: under emulation every one of them must run. Last, `anneal train --set device=cuda`
# on synthetic data must give the loss curve of the same run on the CPU, and so must the run on two emulated devices
# with the step replayed as CUDA graphs. Emulation proves host code, JCuda
# marshalling, launch geometry, indexing and kernel arithmetic; it says nothing about GPU speed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="${ANNEAL_EMU_BUILD_DIR:-target-emu}"
native="$root/$build_dir/emucuda"
mkdir -p "$native"
src="$root/src/test/native"
cxx="${CXX:-g++}"
flags=(-std=c++17 -fPIC -ffp-contract=off -Wall -Wno-unknown-pragmas)

echo "== building $native/libcuda.so.1"
"$cxx" "${flags[@]}" -O1 -shared -fvisibility=hidden -o "$native/libcuda.so.1" \
    "$src/emucuda.cpp" "$src"/k_*.cpp

echo "== kernels under AddressSanitizer (native driver)"
"$cxx" "${flags[@]}" -O1 -g -fsanitize=address -fno-omit-frame-pointer -o "$native/kernel-asan-test" \
    "$src/kernel_asan_test.cpp" "$src/emucuda.cpp" "$src"/k_*.cpp -ldl
ASAN_OPTIONS=detect_leaks=0 "$native/kernel-asan-test"
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

echo "== gpu-tagged tests against the emulated driver"
rm -rf "$build_dir/surefire-reports"
export LD_LIBRARY_PATH="$native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export ANNEAL_CUDA_EMULATOR=1
export ANNEAL_CUDA_EMULATOR_DEVICES="${ANNEAL_CUDA_EMULATOR_DEVICES:-2}"
mvn -q -B -ntp -Danneal.build.dir="$build_dir" test -Dgroups='gpu | emulator' -Dsurefire.failIfNoSpecifiedTests=false \
    2>&1 | sed 's/\x1b\[0m//g'

python3 - "$build_dir/surefire-reports" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
tests = skipped = 0
names = []
for f in glob.glob(sys.argv[1] + "/TEST-*.xml"):
    s = ET.parse(f).getroot()
    tests += int(s.get("tests", 0))
    for c in s.iter("testcase"):
        if c.find("skipped") is not None:
            skipped += 1
            sk = c.find("skipped")
            names.append(f"{c.get('classname')}.{c.get('name')}: {sk.get('message', '')}")
print(f"emulated gpu suite: {tests} tests, {skipped} skipped")
if tests == 0 or skipped:
    for n in names:
        print("SKIPPED " + n)
    sys.exit("FAIL: every gpu-tagged test must run under the emulated driver")
PY

echo "== all-reduce tests with peer access off (ANNEAL_CUDA_EMULATOR_PEER=0: the host-staged path)"
ANNEAL_CUDA_EMULATOR_PEER=0 mvn -q -B -ntp -Danneal.build.dir="$build_dir" surefire:test -Dgroups='gpu | emulator' \
    -Dtest='CudaAllReduceTest,CudaPeerAllReduceTest,EmulatedPeerPlantedBugsTest' -Dsurefire.failIfNoSpecifiedTests=false \
    2>&1 | sed 's/\x1b\[0m//g'

echo "== anneal train --set device=cuda against the CPU run"
mvn -q -B -ntp -Danneal.build.dir="$build_dir" dependency:build-classpath -Dmdep.outputFile="$build_dir/cp.txt" \
    2>&1 | sed 's/\x1b\[0m//g'
cp="$build_dir/classes:$(cat "$build_dir/cp.txt")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/run.yaml" <<'YAML'
optimizer: {type: adamw, lr: 0.01}
schedule: {type: cosine, t_max: 24, warmup: {steps: 4, start_factor: 0.1}}
model: {hidden: [32, 16], activation: gelu}
data: {dataset: synthetic, train_samples: 256, test_samples: 64, features: 12, classes: 3, batch_size: 32}
train: {epochs: 3, seed: 5}
YAML
# The CPU run, one CUDA device, and two CUDA devices (batch 16 each: the same global batch of 32) with the step
# replayed as CUDA graphs.
train() {
  local name=$1; shift
  java -Djava.awt.headless=true -cp "$cp" dev.anneal.cli.Main train --config "$work/run.yaml" \
      --run-dir "$work/$name" "$@" > "$work/$name.log"
  grep "anneal: " "$work/$name.log" | grep -v "done:" | sed "s/^/$name: /"
}
train cpu --set device=cpu
train cuda --set device=cuda
train cuda-dp-graph --set device=cuda --set devices=2 --set data.batch_size=16 --set train.cuda_graph=true
for name in cuda cuda-dp-graph; do
python3 - "$work/cpu/metrics.jsonl" "$work/$name/metrics.jsonl" "$name" <<'PY'
import json, sys
cpu = [json.loads(l) for l in open(sys.argv[1])]
gpu = [json.loads(l) for l in open(sys.argv[2])]
assert len(cpu) == len(gpu) == 3, (len(cpu), len(gpu))
for c, g in zip(cpu, gpu):
    for key in ("train_loss", "test_loss"):
        if abs(c[key] - g[key]) > 1e-4 + 1e-3 * abs(c[key]):
            sys.exit(f"FAIL: {sys.argv[3]}: epoch {c['epoch']} {key}: cpu {c[key]} vs cuda {g[key]}")
print(f"anneal train on emulated {sys.argv[3]}: loss curve matches the cpu run: "
      + ", ".join(f"epoch {c['epoch']} test loss {c['test_loss']:.6f} vs {g['test_loss']:.6f}" for c, g in zip(cpu, gpu)))
PY
done
