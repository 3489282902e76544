#!/usr/bin/env bash
# Assembles every packed PTX file (cuda-kernels/ptx/, copied into the build's classes) with ptxas for sm_75,
# sm_80 and sm_90 and fails on any error. The register and spill report is kept as BUILD_DIR/ptxas-report.txt
# (a test fails if an optimizer kernel spills). Where ptxas is not installed it says so and passes.
#   scripts/check-ptx.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: check-ptx.sh BUILD_DIR}
ptx_dir="$build/classes/ptx"
report="$build/ptxas-report.txt"
shopt -s nullglob
files=("$ptx_dir"/*.ptx)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "anneal: no PTX in $ptx_dir: the build did not copy cuda-kernels/ptx/ (see pom.xml)" >&2
  exit 1
fi
if ! command -v ptxas >/dev/null 2>&1; then
  echo "anneal: ptxas not installed: the packed PTX is not assembled for sm_75/80/90 here (CI does it)" >&2
  rm -f "$report"
  exit 0
fi
: > "$report.tmp"
for arch in sm_75 sm_80 sm_90; do
  for f in "${files[@]}"; do
    echo "== $(basename "$f") $arch" >> "$report.tmp"
    if ! ptxas -arch="$arch" -v "$f" -o /dev/null >> "$report.tmp" 2>&1; then
      cat "$report.tmp" >&2
      echo "anneal: ptxas failed on $(basename "$f") for $arch" >&2
      exit 1
    fi
  done
done
mv "$report.tmp" "$report"
echo "anneal: ptxas ok for sm_75, sm_80, sm_90 ($(grep -c 'Compiling entry function' "$report") kernel builds); report $report" >&2
