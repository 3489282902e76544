#!/usr/bin/env bash
# Step time and gradient-sum cost per world size: trains the default MLP shape (784-512-256-10, ReLU, AdamW,
# batch 128 per process) on synthetic data of that shape with device: cpu, alone (W = 1) and under
# `mpirun -np W` (W = 2, 3 by default), the same number of updates per epoch for every W, and prints one table:
#   - s/update: the median over the epochs of rank 0's training seconds per update, from metrics.jsonl
#     (W x 128 / samples_per_second; training time only: no JVM or MPI start, no evaluation). Every process
#     trains 128 samples per update, so the work per process is the same for every W (weak scaling);
#   - the gradient sum per update on every rank: the ms inside MpiProcessGroup.orderedSum (copies, the chain's
#     messages and additions, and the waits for slower ranks) and the MB each rank sent and received, from the
#     "anneal: gradient sums ..." line rank 0 prints at the end of a multi-process run.
# Each process runs with --threads T CPU threads (ANNEAL_CPU_THREADS, OPENBLAS_NUM_THREADS; default 1), so W
# processes want W x T cores: where the machine has fewer, the processes share them and the figures measure
# that sharing, not how training scales.
# Usage: scripts/bench-ranks.sh [--ranks "1 2 3"] [--updates-per-epoch K] [--epochs E] [--threads T]
#                               [--build-dir DIR] [--out FILE.md]
#   --build-dir: where the jar and the MPI shim are (default target; built there when missing or older than
#   the sources); --out: also write the table (markdown) to FILE.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ranks="1 2 3"
per_epoch=40
epochs=5
threads=1
build="$root/target"
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ranks) ranks="$2"; shift 2 ;;
    --updates-per-epoch) per_epoch="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --build-dir) build="$(realpath -m "$2")"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-ranks: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in $ranks; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench-ranks: --ranks takes process counts >= 1, got '$n'" >&2; exit 2; }
done
if [[ " $ranks " != " 1 " ]] && ! command -v mpirun >/dev/null 2>&1; then
  echo "bench-ranks: no mpirun on PATH: W > 1 needs Open MPI (openmpi-bin, libopenmpi-dev)" >&2
  exit 1
fi

jar="$build/anneal.jar"
mkdir -p "$build"
(
  flock 9
  if [[ ! -f "$jar" ]] || [[ -n "$(find "$root/pom.xml" "$root/src/main" -newer "$jar" -print -quit)" ]]; then
    echo "bench-ranks: building $jar ..." >&2
    mvn -B -ntp -q -f "$root/pom.xml" -Danneal.build.dir="$build" -DskipTests package 2>&1 | sed 's/\x1b\[0m//g' >&2
  fi
  bash "$root/scripts/build-mpi.sh" "$build"
) 9>"$build/.build.lock"
source "$root/scripts/openblas-env.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
load="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
rows=()
echo "bench-ranks: 784-512-256-10 MLP, AdamW, batch 128 per process, $per_epoch updates x $epochs epochs," \
  "device cpu, $threads thread(s) per process, $cores cores" >&2
for w in $ranks; do
  cat >"$work/w$w.yaml" <<EOF
optimizer: {type: adamw, lr: 0.001, weight_decay: 0.0001}
model: {type: mlp, hidden: [512, 256], activation: relu, init: kaiming}
data: {dataset: synthetic, features: 784, classes: 10, train_samples: $((128 * w * per_epoch)), test_samples: 256,
       batch_size: 128}
train: {epochs: $epochs, seed: 0}
device: cpu
EOF
  java_cmd=(java -Djava.awt.headless=true -jar "$jar" train --config "$work/w$w.yaml" --run-dir "$work/run$w")
  export ANNEAL_CPU_THREADS=$threads OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
  start=$SECONDS
  if [[ $w -eq 1 ]]; then
    timeout -k 5 600 "${java_cmd[@]}" >"$work/w$w.log" 2>&1 || { cat "$work/w$w.log" >&2; exit 1; }
  else
    timeout -k 5 600 mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$w" \
      -x ANNEAL_CPU_THREADS -x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS -x OPENBLAS_CORETYPE -x OPENBLAS_THREAD_TIMEOUT \
      "${java_cmd[@]}" >"$work/w$w.log" 2>&1 || { cat "$work/w$w.log" >&2; exit 1; }
  fi
  wall=$((SECONDS - start))
  step=$(python3 - "$work/run$w/metrics.jsonl" "$((128 * w))" <<'EOF'
import json, statistics, sys
rates = [json.loads(l)["samples_per_second"] for l in open(sys.argv[1]) if l.strip()]
print("%.4f" % statistics.median(float(sys.argv[2]) / r for r in rates))
EOF
)
  sums="$(grep -m1 '^anneal: gradient sums' "$work/w$w.log" || true)"
  if [[ $w -eq 1 ]]; then
    ms="-"; traffic="- (one process: no gradient sum across processes)"
  elif [[ -z "$sums" ]]; then
    echo "bench-ranks: the $w-process run printed no 'anneal: gradient sums' line:" >&2
    cat "$work/w$w.log" >&2
    exit 1
  else
    ms="$(sed -E 's/.*ms per update on ranks [0-9.]+: ([0-9./]+);.*/\1/' <<<"$sums")"
    traffic="$(sed -E 's/.*MB sent\/received per update: //' <<<"$sums")"
  fi
  echo "bench-ranks: W=$w: $step s/update; gradient sums: $ms ms; $traffic (run: $wall s wall)" >&2
  rows+=("| $w | $step | $ms | $traffic | $wall |")
done

note="This machine has $cores cores and each process runs $threads CPU thread(s)"
max=$(tr " " "\n" <<<"$ranks" | sort -n | tail -1)
if (( cores < threads * max )); then
  note="$note: with more processes than that the processes share the cores, so this is NOT a scaling figure;"
  note="$note it shows the cost of the gradient sum and how the step time grows when processes share cores."
else
  note="$note: enough cores for every process."
fi
table="$(
  echo "# Step and gradient-sum time per world size (scripts/bench-ranks.sh)"
  echo
  echo "784-512-256-10 MLP (535,818 parameters), AdamW, batch 128 per process (global batch 128 x W), synthetic"
  echo "data, device cpu, $per_epoch updates per epoch x $epochs epochs, $(date -u +%Y-%m-%d), $(uname -n), load"
  echo "average $load when the benchmark started (other work on the machine slows every row)."
  echo "s/update: median over epochs of rank 0's training seconds per update (metrics.jsonl, start-up and"
  echo "evaluation excluded). Gradient sum: ms per update inside the ordered chain on each rank (waits for slower"
  echo "ranks included); MB sent/received per update by each rank (MpiProcessGroup's counters)."
  echo
  echo "$note"
  echo
  echo "| W | s/update (rank 0) | gradient sum ms/update (rank 0/1/...) | MB sent/received per update | run wall s |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
)"
echo "$table"
if [[ -n "$out" ]]; then
  mkdir -p "$(dirname "$out")"
  echo "$table" >"$out"
  echo "bench-ranks: wrote $out" >&2
fi
