#!/usr/bin/env bash
# Installs what building and running Anneal needs on a Debian machine, and nothing that is already there:
# a JDK 17+, Maven, OpenBLAS, fonts for the PNG plots, and any Debian packages named as arguments. Safe to run repeatedly.
set -euo pipefail

need=()
java_major() {
  java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}
if ! command -v java >/dev/null 2>&1 || [[ "$(java_major)" -lt 17 ]]; then
  need+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || need+=(maven)
# The system BLAS that the CPU backend's SGEMM calls through JNI (a pure-Java fallback runs without it).
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
if ! command -v fc-list >/dev/null 2>&1 || [[ -z "$(fc-list 2>/dev/null | head -n 1)" ]]; then
  need+=(fontconfig fonts-dejavu-core)
fi
for pkg in "${@}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done

if [[ ${#need[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "anneal: need root to install ${need[*]}; run: apt-get install ${need[*]}" >&2
    exit 2
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed() {
  echo "anneal: $1 failed; its last lines:" >&2
  tail -20 "$log" >&2
  exit 1
}
echo "anneal: installing ${need[*]} with apt-get (on a fresh machine about 250 MB to download and" \
     "1-3 minutes; once only)" >&2
echo "anneal: apt-get update ..." >&2
$SUDO apt-get update -q >"$log" 2>&1 || failed "apt-get update"
# apt-get's machine-readable status (APT::Status-Fd) becomes one line per tenth of the download and of the
# installation; the full output goes to a log shown only on failure.
start=$SECONDS
{ $SUDO apt-get install -y -q --no-install-recommends -o APT::Status-Fd=3 "${need[@]}" 3>&1 1>>"$log" 2>&1 \
    || echo "apt-failed" ; } | awk -F: '
  $1 == "dlstatus" || $1 == "pmstatus" {
    what = ($1 == "dlstatus") ? "downloading" : "installing"
    tenth = int($3 / 10)
    if (what != last_what || tenth > last_tenth) {
      printf "anneal: apt-get: %s %d%%\n", what, tenth * 10 > "/dev/stderr"
      last_what = what; last_tenth = tenth
    }
  }
  $0 == "apt-failed" { failed = 1 }
  END { exit failed }' || failed "apt-get install ${need[*]}"
echo "anneal: installed ${need[*]} in $((SECONDS - start)) s" >&2
