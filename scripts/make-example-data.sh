#!/usr/bin/env bash
# Writes the small example datasets that configs/examples/data-*.yaml train on (npz, npy, csv, image_folder)
# into OUT_DIR, deterministically and atomically; needs only a JDK 17 (no python, no build). About 2 s, 6.5 MB.
#
#   bash scripts/make-example-data.sh data/examples
#   bin/anneal train --config configs/examples/data-npz.yaml
#
# An existing OUT_DIR is replaced only when it is empty or an earlier output of this script.
# See scripts/MakeExampleData.java for what each file holds.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "make-example-data: usage: bash scripts/make-example-data.sh OUT_DIR (e.g. data/examples)" >&2
  exit 2
fi
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
java_bin=java
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java_bin="$JAVA_HOME/bin/java"
fi
if ! command -v "$java_bin" >/dev/null 2>&1; then
  echo "make-example-data: no java found; install a JDK 17 (scripts/install-deps.sh does)" >&2
  exit 2
fi
major="$("$java_bin" -version 2>&1 \
  | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}')"
if [[ -z "$major" || "$major" -lt 17 ]]; then
  echo "make-example-data: $java_bin is Java ${major:-of unknown version}; a JDK 17 or later is needed" \
       "(scripts/install-deps.sh installs one)" >&2
  exit 2
fi
exec "$java_bin" -Djava.awt.headless=true "$here/MakeExampleData.java" "$1"
