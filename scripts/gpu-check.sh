#!/usr/bin/env bash
# gpu-check: one command to check Anneal on a GPU machine that has an NVIDIA driver but maybe no Java or Maven.
#
#   scripts/gpu-check.sh                  pack into target/gpu-check, then run it here when this machine has a GPU
#                                         (nvidia-smi or libcuda.so.1), writing target/gpu-check-report.md
#   scripts/gpu-check.sh --run [REPORT]   pack, then run here whatever the machine (the benches time the CPU
#                                         backend where there is no GPU, and the report says so)
#   scripts/gpu-check.sh --pack DIR       pack only, into DIR; copy DIR to the GPU machine and there run
#   DIR/run.sh REPORT.md                  (needs bash and the NVIDIA driver, no Java: DIR holds its own runtime)
#
# Packing builds target/anneal.jar (mvn package, tests compiled but not run), a self-contained Java runtime made
# with jlink (the modules jdeps finds in the jar, the test classes and the JUnit console launcher, plus
# jdk.unsupported), the test classes and the test dependency jars. Running does, with that runtime: anneal
# devices, the gpu-tagged JUnit tests (--include-tag gpu), anneal bench kernels, anneal bench step, and writes a
# markdown report with every command's output and exit status.
#
# Environment: GPU_CHECK_MVN_OPTS (extra Maven options, e.g. -o), ANNEAL_BUILD_DIR (Maven build directory,
# default target).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
build="${ANNEAL_BUILD_DIR:-$root/target}"
[[ $build == /* ]] || build="$root/$build"

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

pack_dir="$build/gpu-check"
mode=auto
report=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pack) [[ $# -ge 2 ]] || usage; pack_dir="$2"; mode=pack; shift 2 ;;
    --run) mode=run; shift ;;
    -h|--help) usage ;;
    -*) echo "gpu-check: unknown option $1" >&2; usage ;;
    *) report="$1"; shift ;;
  esac
done
[[ $pack_dir == /* ]] || pack_dir="$PWD/$pack_dir"

has_gpu() {
  command -v nvidia-smi >/dev/null 2>&1 && return 0
  { ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; } && return 0
  local d
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/cuda/lib64 /usr/local/cuda/compat /usr/lib/wsl/lib; do
    [[ -e $d/libcuda.so.1 ]] && return 0
  done
  return 1
}

pack() {
  local dir="$1"
  for tool in mvn jdeps jlink; do
    command -v "$tool" >/dev/null || { echo "gpu-check: packing needs $tool (a JDK 17+ and Maven)" >&2; exit 1; }
  done
  echo "gpu-check: building the jar and the test classes (mvn package, tests not run) ..." >&2
  # shellcheck disable=SC2086
  mvn -q -B -ntp ${GPU_CHECK_MVN_OPTS:-} -f "$root/pom.xml" -Danneal.build.dir="$build" -DskipTests package \
    2>&1 | sed 's/\x1b\[0m//g' >&2
  rm -rf "$dir"
  mkdir -p "$dir/test-lib"
  echo "gpu-check: copying the test dependencies ..." >&2
  # shellcheck disable=SC2086
  mvn -q -B -ntp ${GPU_CHECK_MVN_OPTS:-} -f "$root/pom.xml" -Danneal.build.dir="$build" \
    dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$dir/test-lib" 2>&1 | sed 's/\x1b\[0m//g' >&2
  # The console launcher bundles JUnit Jupiter, the platform, opentest4j and apiguardian: a second copy of the
  # Jupiter engine on the class path would stop it ("multiple engines with the same ID").
  (cd "$dir/test-lib" && mv junit-platform-console-standalone-*.jar .. \
    && rm -f junit-jupiter-*.jar junit-platform-*.jar opentest4j-*.jar apiguardian-*.jar)
  cp "$build/anneal.jar" "$dir/anneal.jar"
  cp -r "$build/test-classes" "$dir/test-classes"
  cp -r "$root/configs" "$dir/configs"
  cp -r "$root/cuda-kernels" "$dir/cuda-kernels"
  cp "$root/scripts/openblas-env.sh" "$dir/openblas-env.sh"

  echo "gpu-check: finding the modules (jdeps) ..." >&2
  local cp mods
  cp="$(find "$dir/test-lib" -name '*.jar' | sort | tr '\n' ':')$dir/anneal.jar"
  mods="$(
    {
      jdeps --multi-release 17 --print-module-deps --ignore-missing-deps "$dir/anneal.jar"
      jdeps --multi-release 17 --print-module-deps --ignore-missing-deps "$dir"/junit-platform-console-standalone-*.jar
      jdeps --multi-release 17 --print-module-deps --ignore-missing-deps --class-path "$cp" "$dir/test-classes"
      echo "jdk.unsupported"
    } | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -
  )"
  echo "gpu-check: jlink --add-modules $mods" >&2
  jlink --add-modules "$mods" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$dir/runtime"
  echo "$mods" > "$dir/modules.txt"
  write_run_sh "$dir/run.sh"
  echo "gpu-check: packed $(du -sh "$dir" | cut -f1) into $dir; on the GPU machine run: $dir/run.sh REPORT.md" >&2
}

write_run_sh() {
  cat > "$1" <<'RUN'
#!/usr/bin/env bash
# Runs the packed GPU check with the packed Java runtime (no Java needed here): anneal devices, the gpu-tagged
# tests, anneal bench kernels, anneal bench step; writes a markdown report to $1 (default: gpu-check-report.md
# in the current directory). Exit status: 0 when every step exited 0 (a CPU fallback included), else 1.
set -uo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
report="${1:-$PWD/gpu-check-report.md}"
[[ $report == /* ]] || report="$PWD/$report"
java="$here/runtime/bin/java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=/dev/null
source "$here/openblas-env.sh"

has_gpu() {
  command -v nvidia-smi >/dev/null 2>&1 && return 0
  { ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; } && return 0
  local d
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/cuda/lib64 /usr/local/cuda/compat /usr/lib/wsl/lib; do
    [[ -e $d/libcuda.so.1 ]] && return 0
  done
  return 1
}

anneal() {
  # shellcheck disable=SC2086
  "$java" -Djava.awt.headless=true -Danneal.home="$here" ${ANNEAL_JAVA_OPTS:-} -jar "$here/anneal.jar" "$@"
}

# anneal with every upload on the compute stream (no copy stream), for the comparison in the report.
anneal_one_stream() {
  ANNEAL_JAVA_OPTS="${ANNEAL_JAVA_OPTS:-} -Danneal.cuda.copy_stream=off" anneal "$@"
}

gpu_tests() {
  local cp
  cp="$here/test-classes:$here/anneal.jar:$(find "$here/test-lib" -name '*.jar' | sort | paste -sd: -)"
  # shellcheck disable=SC2086
  "$java" -Djava.awt.headless=true -Danneal.build.dir="$here/build" ${ANNEAL_JAVA_OPTS:-} \
    -jar "$here"/junit-platform-console-standalone-*.jar execute --disable-banner --disable-ansi-colors \
    --details=tree --class-path "$cp" --scan-class-path "$here/test-classes" --include-tag gpu
}

failed=0
n=0
steps=()
# step TITLE COMMAND...: runs it from $here, keeps its output and exit status for the report.
step() {
  local title="$1"
  shift
  n=$((n + 1))
  echo "gpu-check: [$n] $title ..." >&2
  local start end rc
  start=$(date +%s)
  (cd "$here" && "$@") > "$work/$n.out" 2>&1
  rc=$?
  end=$(date +%s)
  [[ $rc -eq 0 ]] || failed=1
  steps+=("$title")
  echo "$rc $((end - start))" > "$work/$n.rc"
  tail -n 3 "$work/$n.out" | sed 's/^/    /' >&2
}

if has_gpu; then
  gpu=yes
  device=cuda
  kernel_args=()
else
  gpu=no
  device=auto
  # No GPU: the CPU twins, smaller so the check stays quick (the CPU is not what is being checked).
  kernel_args=(--sizes 10000000 --gemm-sizes 1024,2048 --repeats 5)
fi
json_base="${report%.md}"

if [[ $gpu == yes ]] && command -v nvidia-smi >/dev/null 2>&1; then
  step "nvidia-smi" nvidia-smi --query-gpu=index,name,driver_version,memory.total,clocks.max.sm,power.limit \
    --format=csv
fi
step "anneal devices" anneal devices
step "gpu-tagged tests" gpu_tests
step "anneal bench kernels --device $device ${kernel_args[*]:-}" \
  anneal bench kernels --device "$device" "${kernel_args[@]}" --json "$json_base-kernels.json"
step "anneal bench step --device $device" anneal bench step --device "$device" --json "$json_base-step.json"
step "anneal bench step --device $device --set train.cuda_graph=true" \
  anneal bench step --device "$device" --set train.cuda_graph=true --json "$json_base-step-graph.json"
# The same with every upload on the compute stream: what the copy stream's overlap of the next batch gains.
step "anneal bench step --device $device --set train.cuda_graph=true (-Danneal.cuda.copy_stream=off)" \
  anneal_one_stream bench step --device "$device" --set train.cuda_graph=true \
  --json "$json_base-step-graph-one-stream.json"
cnn=configs/fashion-mnist-cnn.yaml
step "anneal bench step --config $cnn --device $device --set train.cuda_graph=false" \
  anneal bench step --config "$cnn" --device "$device" --set train.cuda_graph=false --json "$json_base-cnn-step.json"
step "anneal bench step --config $cnn --device $device --set train.cuda_graph=true" \
  anneal bench step --config "$cnn" --device "$device" --set train.cuda_graph=true --json "$json_base-cnn-graph.json"
if [[ $gpu == yes ]]; then
  step "anneal bench step --device cuda --devices 1,2,4,8" \
    anneal bench step --device cuda --devices 1,2,4,8 --json "$json_base-step-devices.json"
fi

# ---- the report ----------------------------------------------------------------------------------------------
out_of() { cat "$work/$1.out"; }
find_step() {
  local i
  for i in "${!steps[@]}"; do
    [[ ${steps[$i]} == "$1"* ]] && { echo $((i + 1)); return; }
  done
}
dev_n=$(find_step "anneal devices")
test_n=$(find_step "gpu-tagged tests")
kern_n=$(find_step "anneal bench kernels")
step_n=$(find_step "anneal bench step")
graph_n=$(find_step "anneal bench step --device $device --set")
one_stream_n=$(find_step "anneal bench step --device $device --set train.cuda_graph=true (-Danneal.cuda.copy_stream")
cnn_n=$(find_step "anneal bench step --config $cnn --device $device --set train.cuda_graph=false")
cnn_graph_n=$(find_step "anneal bench step --config $cnn --device $device --set train.cuda_graph=true")
cuda_line="$(grep '^CUDA: ' "$work/$dev_n.out" | tail -1)"
tests_line="$(grep -E '^\[ +[0-9]+ tests (successful|failed|aborted|found) +\]' "$work/$test_n.out" \
  | sed 's/^\[ *//; s/ *\]$//; s/  */ /g' | paste -sd, - | sed 's/,/, /g')"
{
  echo "# Anneal GPU check"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), host: $(hostname)"
  echo "- GPU detected (nvidia-smi or libcuda.so.1): $gpu"
  echo "- ${cuda_line:-CUDA: (anneal devices printed no CUDA line)}"
  echo "- gpu-tagged tests: ${tests_line:-see below} (aborted: skipped by an assumption, reason in the tree below)"
  echo "- bench kernels: $(head -1 "$work/$kern_n.out")"
  echo "- bench step: $(head -1 "$work/$step_n.out"); $(grep '^step: ' "$work/$step_n.out" | head -1)"
  echo "- bench step, train.cuda_graph: $(grep '^step: ' "$work/$graph_n.out" | head -1)"
  echo "- bench step, train.cuda_graph, uploads on the compute stream: $(grep '^step: ' "$work/$one_stream_n.out" \
    | head -1)"
  echo "- bench step, default CNN, eager: $(grep '^step: ' "$work/$cnn_n.out" | head -1)"
  echo "- bench step, default CNN, graph: $(grep '^step: ' "$work/$cnn_graph_n.out" | head -1)"
  if [[ $gpu == no ]]; then
    echo
    echo "No GPU on this machine: the gpu tests skip and both benches time the CPU backend. These are not GPU numbers."
  fi
  echo
  echo "Result: $([[ $failed -eq 0 ]] && echo "every step exited 0" || echo "SOME STEPS FAILED (exit status below)")."
  echo "JSON: $json_base-kernels.json, $json_base-step.json"
  for i in "${!steps[@]}"; do
    k=$((i + 1))
    read -r rc secs < "$work/$k.rc"
    echo
    echo "## $k. ${steps[$i]}"
    echo
    echo "exit status $rc, ${secs} s"
    echo
    echo '```'
    out_of "$k"
    echo '```'
  done
} > "$work/report.md"
mkdir -p "$(dirname "$report")"
cp "$work/report.md" "$report.tmp" && mv -f "$report.tmp" "$report"
echo "gpu-check: wrote $report" >&2
exit "$failed"
RUN
  chmod +x "$1"
}

case "$mode" in
  pack)
    pack "$pack_dir"
    ;;
  run)
    pack "$pack_dir"
    "$pack_dir/run.sh" "${report:-$build/gpu-check-report.md}"
    ;;
  auto)
    pack "$pack_dir"
    if has_gpu; then
      "$pack_dir/run.sh" "${report:-$build/gpu-check-report.md}"
    else
      echo "gpu-check: no GPU here (no nvidia-smi, no libcuda.so.1): packed only; copy $pack_dir to a GPU machine" \
        "and run $pack_dir/run.sh REPORT.md there, or pass --run to run it here on the CPU" >&2
    fi
    ;;
esac
