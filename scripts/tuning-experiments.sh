#!/usr/bin/env bash
# Reproduces docs/TUNING.md on Fashion-MNIST (Debian's dataset-fashion-mnist): the range test choosing the CLR
# bounds, the fixed-rate baseline against triangular CLR, and the seed's 10 x 10 grid over rate and decay.
# About 25 minutes on 2 cores, most of it the grid (100 trials of 3 epochs).
#   scripts/tuning-experiments.sh [OUT_DIR]        (default runs/tuning-TIME)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh" dataset-fashion-mnist
out=${1:-runs/tuning-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
anneal="$root/bin/anneal"

echo "== range test (linear ramp, accuracy on 2000 test samples every 10 updates)"
"$anneal" lr-find --config "$root/configs/tuning/sgd-fixed.yaml" --mode linear --start 0.001 --end 0.5 \
    --steps 469 --eval-every 10 --eval-samples 2000 --out "$out/range-test" --json "$out/range-test.json"

echo "== fixed rate, 24 epochs, and triangular CLR with the range test's bounds, 12 epochs"
"$anneal" train --config "$root/configs/tuning/sgd-fixed.yaml" --run-dir "$out/fixed" > "$out/fixed.log"
"$anneal" train --config "$root/configs/tuning/sgd-clr.yaml" --run-dir "$out/clr" > "$out/clr.log"
for run in fixed clr; do
  echo "-- $run: epoch, test accuracy"
  sed -n 's/.*"epoch":\([0-9]*\).*"test_accuracy":\([0-9.]*\).*/\1 \2/p' "$out/$run/metrics.jsonl"
done

echo "== the seed's grid: optimizer.lr = logspace(-5, 0, 10) x schedule.gamma = linspace(0.1, 0.9, 10)"
"$anneal" sweep --config "$root/configs/tuning/seed-grid.yaml" --out "$out/grid" --parallel 2
