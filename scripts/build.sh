#!/usr/bin/env bash
# Builds target/anneal.jar (the shaded CLI jar) without running the tests, saying what it does: one line per
# build step, Maven's warnings and errors in full, the rest of its output only when the build fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
repo="${HOME:-/root}/.m2/repository"
if [[ -d "$repo/org/apache/maven/plugins/maven-shade-plugin" ]]; then
  echo "anneal: building target/anneal.jar (about 30 s) ..." >&2
else
  echo "anneal: building target/anneal.jar; the first build downloads Maven's plugins and Anneal's libraries" \
       "(about 60 MB into $repo: 1-3 minutes) ..." >&2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
# Debian's Maven 3.8 prints stray colour resets even in batch mode; strip them. Each plugin step
# ("[INFO] --- maven-compiler-plugin:3.13.0:compile (default-compile) @ anneal ---") that takes time becomes a
# progress line.
if ! mvn -B -ntp -f "$root/pom.xml" -DskipTests package 2>&1 | sed 's/\x1b\[0m//g' | tee "$log" | awk '
    /^\[INFO\] --- / {
      step = ""
      if ($3 ~ /:compile$/) step = "compiling the sources"
      else if ($3 ~ /:testCompile$/) step = "compiling the tests"
      else if ($4 == "(check-ptx)") step = "assembling the kernels with ptxas, where it is installed"
      else if ($3 ~ /:shade$/) step = "packing target/anneal.jar with its libraries"
      if (step != "") printf "anneal: build: %s\n", step > "/dev/stderr"
      next
    }
    /^\[(WARNING|ERROR)\]/ { print > "/dev/stderr" }'; then
  echo "anneal: the build failed; Maven's last lines:" >&2
  tail -40 "$log" >&2
  exit 1
fi
echo "anneal: built target/anneal.jar in $((SECONDS - start)) s" >&2
# The MPI shim for multi-process training, where mpicc is installed (one line saying so where it is not).
"$root/scripts/build-mpi.sh" "$root/target"
