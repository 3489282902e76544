#!/usr/bin/env bash
# The kernels' PTX is committed (cuda-kernels/ptx/), so that every jar carries every kernel whether or not the
# machine that built it has nvcc, and users need only the NVIDIA driver. This script makes it from the sources.
#
#   scripts/build-ptx.sh            regenerate cuda-kernels/ptx/ from cuda-kernels/*.cu (after changing a kernel;
#                                   commit the result with the source)
#   scripts/build-ptx.sh --check    regenerate into a temporary directory and fail unless every byte equals the
#                                   committed PTX, so that sources and PTX never drift. Without nvcc it says so and
#                                   passes, except under CI (CI=true), where the comparison is required.
#
# Each file is compiled to portable PTX for compute_75 (one image JIT-compiled by the driver for Turing and
# newer); a `// nvcc-flags: ...` line in a source adds flags for that file. nvcc's output is deterministic: the
# same nvcc gives the same bytes, and cuda-kernels/ptx/BUILD-INFO records which nvcc made them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
committed="$root/cuda-kernels/ptx"
mode=${1:-write}
case "$mode" in
  write|--check) ;;
  *) echo "usage: scripts/build-ptx.sh [--check]" >&2; exit 2 ;;
esac

if ! command -v nvcc >/dev/null 2>&1; then
  if [[ "$mode" == --check && "${CI:-}" == true ]]; then
    echo "anneal: nvcc not found: CI must compare cuda-kernels/ptx/ with its sources; install the CUDA toolkit" >&2
    exit 1
  fi
  if [[ "$mode" == --check ]]; then
    echo "anneal: nvcc not installed: committed PTX not compared with its sources here (CI compares it)" >&2
    exit 0
  fi
  echo "anneal: nvcc not found: install the CUDA toolkit to regenerate cuda-kernels/ptx/" >&2
  exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for src in "$root"/cuda-kernels/*.cu; do
  name=$(basename "$src" .cu)
  flags=$(sed -n 's|^// nvcc-flags: ||p' "$src")
  # shellcheck disable=SC2086
  nvcc -ptx -arch=compute_75 -std=c++17 $flags -o "$out/$name.ptx" "$src"
  # nvcc 13 stamps PTX ISA 9.0, which only CUDA 13 drivers load. The kernels use nothing newer than ISA 7.8
  # (CUDA 11.8, the first with sm_90), so declare that: drivers from R520 on can JIT them. check-ptx.sh
  # assembles the result, so an instruction that needs a newer ISA fails the build instead of a user's run.
  sed -i 's/^\.version [0-9.]*$/.version 7.8/' "$out/$name.ptx"
done
nvcc --version | tail -1 | sed 's/^/nvcc: /' > "$out/BUILD-INFO"

if [[ "$mode" == write ]]; then
  mkdir -p "$committed"
  rm -f "$committed"/*.ptx
  cp "$out"/*.ptx "$out/BUILD-INFO" "$committed/"
  echo "anneal: wrote $(ls "$committed"/*.ptx | wc -l) PTX files to cuda-kernels/ptx/ ($(cat "$committed/BUILD-INFO"))" >&2
  exit 0
fi

if ! cmp -s "$out/BUILD-INFO" "$committed/BUILD-INFO"; then
  echo "anneal: cuda-kernels/ptx/ was made by '$(cat "$committed/BUILD-INFO" 2>/dev/null || echo nothing)'," \
       "this machine has '$(cat "$out/BUILD-INFO")': run scripts/build-ptx.sh, check the kernels and commit" >&2
  exit 1
fi
bad=0
for f in "$out"/*.ptx; do
  name=$(basename "$f")
  if [[ ! -f "$committed/$name" ]]; then
    echo "anneal: cuda-kernels/ptx/$name is missing: run scripts/build-ptx.sh and commit it" >&2
    bad=1
  elif ! cmp -s "$f" "$committed/$name"; then
    echo "anneal: cuda-kernels/ptx/$name differs from what nvcc makes of cuda-kernels/${name%.ptx}.cu" \
         "($(cmp "$f" "$committed/$name" 2>&1 | sed -e 's/^.*differ: //' -e 's/^cmp: //' -e "s|$out/||")):" \
         "run scripts/build-ptx.sh" \
         "and commit it" >&2
    bad=1
  fi
done
for f in "$committed"/*.ptx; do
  [[ -f "$out/$(basename "$f")" ]] || { echo "anneal: cuda-kernels/ptx/$(basename "$f") has no source: remove it" >&2; bad=1; }
done
[[ $bad -eq 0 ]] || exit 1
echo "anneal: cuda-kernels/ptx/ equals what $(cat "$out/BUILD-INFO") makes of cuda-kernels/*.cu" \
     "($(ls "$out"/*.ptx | wc -l) files, byte for byte)" >&2
