#!/usr/bin/env bash
# Two "hosts" on one machine: two network namespaces joined by a veth pair on a private subnet, one MPI rank in
# each, mpirun started inside the first with an rsh agent that runs `ip netns exec HOST ...` (the hostfile names
# the two addresses, one slot each; TCP only, on the veth's subnet). Checks, each bounded by `timeout -k`:
#   a. two-host training gives the bytes of one process with devices=2 (every checkpoint file equal by cmp,
#      metrics.jsonl equal apart from samples_per_second), and the veth carried at least the gradient bytes
#      (parameters x 4 x updates, read from the veth's byte counters before and after);
#   b. a partition (the veth brought down once rank 0 prints progress) ends the job: a line
#      `collective '...' timed out after 5 s on rank R` within 5 + 30 s, both ranks (JVMs) ended by themselves
#      within 15 s more, a non-zero exit status, and no process of the job left: mpirun and the daemon on host b
#      hang in their teardown after a partition, so after 2 s they are killed by pid (every process in the two
#      namespaces) and the test checks that each has exited.
# A trap kills what is left in the namespaces and deletes them, the veth and the temporary files, even on failure.
# Needs root, iproute2 and Open MPI (mpirun, mpicc for the shim); prints "skipped: <reason>" and exits 0 where it
# cannot run, except that with CI=true, as root with mpirun installed, a missing piece is a failure.
# Usage: scripts/test-mpi-hosts.sh [BUILD_DIR]   (default target: BUILD_DIR/anneal.jar, mvn package made it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/target}" && pwd)"
jar="$build/anneal.jar"
collective_timeout=5                                         # part b's train.collective_timeout, seconds
line_slack=30                                                # the timeout line must come within timeout + this
rank_wait=15                                                 # then both ranks must have ended within this
mpirun_grace=2                                               # and mpirun may take this long more to end

fail() { echo "FAIL: test-mpi-hosts: $*" >&2; exit 1; }
cannot_run() {
  if [[ "${CI:-}" == true && $EUID -eq 0 ]] && command -v mpirun >/dev/null 2>&1; then
    fail "$* (under CI, as root with mpirun, this test must run)"
  fi
  echo "skipped: $*"
  exit 0
}
[[ $EUID -eq 0 ]] || cannot_run "not root (network namespaces need root)"
command -v mpirun >/dev/null 2>&1 || cannot_run "no mpirun (Open MPI, openmpi-bin)"
command -v ip >/dev/null 2>&1 || cannot_run "no ip (iproute2)"
ip netns list >/dev/null 2>&1 || cannot_run "ip has no netns support"
[[ -f "$jar" ]] || fail "no $jar: build it first (mvn package)"
bash "$root/scripts/build-mpi.sh" "$build"
shim="$build/native/libanneal_mpi.so"
[[ -f "$shim" ]] || cannot_run "no MPI shim $shim (mpicc missing: libopenmpi-dev)"

id=$$
ns_a="anneal-a-$id" ns_b="anneal-b-$id" veth_a="anv-a-$id" veth_b="anv-b-$id"
net="10.$((id % 250 + 1)).$((id / 250 % 250 + 1))"
addr_a="$net.1" addr_b="$net.2" subnet="$net.0/24"
tmp="$(mktemp -d /tmp/anneal-hosts.XXXXXX)"
job_pid="" job_status=0   # the background job (a subshell running timeout -k ... mpirun) and its exit status

# Every process of a job lives in one of the two namespaces (mpirun and rank 0 in a, the agent's daemon and
# rank 1 in b), so `ip netns pids` finds all of them; the only others are the wrapper, $job_pid, and its timeout.
namespace_pids() { for ns in "$ns_a" "$ns_b"; do ip netns pids "$ns" 2>/dev/null || true; done; }
# A process as "pid:start time" (field 22 of /proc/PID/stat), so that a reused pid is never taken for it.
process_id() { local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0; set -- ${stat##*) }
  [[ "$1" != Z ]] && echo "${stat%% *}:${20}"; return 0; }
alive() { local pid="${1%%:*}"; [[ "$(process_id "$pid")" == "$1" ]]; }
killed=""   # every process of a job kill_job signalled, as process_id gives it
# Kills every process in the two namespaces, waits (at most 10 s) until each has exited (ip netns pids stops
# listing a process before that; an exited one may stay a zombie until init reaps it), then ends the wrapper.
# The pids whose parent is $1, from /proc (procps's pgrep is not on a minimal Debian); the fields after the
# command name's closing parenthesis are "state ppid ...".
children_of() {
  local stat
  for stat in /proc/[0-9]*/stat; do
    if [[ "$(sed 's/.*) //' "$stat" 2>/dev/null | cut -d' ' -f2)" == "$1" ]]; then
      stat=${stat#/proc/}
      echo "${stat%/stat}"
    fi
  done
  return 0
}
kill_job() {
  local pid process remaining tries=0
  while ((tries < 100)); do
    for pid in $(namespace_pids); do
      process="$(process_id "$pid")"
      [[ -n "$process" ]] && killed="$killed $process" && kill -KILL "$pid" 2>/dev/null
    done
    remaining=""
    for process in $killed; do alive "$process" && remaining="$remaining ${process%%:*}"; done
    [[ -z "$remaining" && -z "$(namespace_pids)" ]] && break
    sleep 0.1
    tries=$((tries + 1))
  done
  if [[ -n "$job_pid" ]]; then   # the subshell and its timeout end when mpirun does
    for tries in {1..20}; do kill -0 "$job_pid" 2>/dev/null && sleep 0.1; done
    for pid in $(children_of "$job_pid") "$job_pid"; do kill -KILL "$pid" 2>/dev/null; done
    job_status=0
    wait "$job_pid" 2>/dev/null || job_status=$?
    job_pid=""
  fi
  [[ -z "$remaining" ]] || echo "test-mpi-hosts: processes still running after SIGKILL:$remaining" >&2
  [[ -z "$remaining" ]]
}
cleanup() {
  kill_job || true
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
  ip link del "$veth_a" 2>/dev/null || true   # only where it never reached its namespace
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns_a" 2>"$tmp/ip.err" || cannot_run "ip netns add failed: $(head -1 "$tmp/ip.err")"
ip netns add "$ns_b"
ip link add "$veth_a" type veth peer name "$veth_b"
ip link set "$veth_a" netns "$ns_a"
ip link set "$veth_b" netns "$ns_b"
ip -n "$ns_a" addr add "$addr_a/24" dev "$veth_a"
ip -n "$ns_b" addr add "$addr_b/24" dev "$veth_b"
for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up; done
ip -n "$ns_a" link set "$veth_a" up
ip -n "$ns_b" link set "$veth_b" up

# The rsh agent: Open MPI calls it as `agent [options] HOST COMMAND...`, as it would call ssh.
cat >"$tmp/rsh-agent" <<EOF
#!/usr/bin/env bash
while [[ "\${1:-}" == -* ]]; do shift; done
host="\$1"; shift
case "\$host" in
  $addr_a) ns=$ns_a ;;
  $addr_b) ns=$ns_b ;;
  *) echo "rsh-agent: unknown host \$host" >&2; exit 255 ;;
esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
EOF
chmod +x "$tmp/rsh-agent"
printf '%s slots=1\n%s slots=1\n' "$addr_a" "$addr_b" >"$tmp/hosts"

cat >"$tmp/job.yaml" <<'EOF'
optimizer: {type: adamw, lr: 0.005}
model:
  type: sequential
  layers:
    - {type: linear, out_features: 256}
    - {type: relu}
    - {type: linear}
data: {dataset: synthetic, train_samples: 512, test_samples: 64, features: 64, classes: 10, batch_size: 16}
train: {epochs: 2, seed: 4}
device: cpu
EOF

now_ms() { echo $(($(date +%s%N) / 1000000)); }
seconds_since() { local ms=$(($(now_ms) - $1)); printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100)); }
veth_bytes() {
  local s=/sys/class/net/$veth_a/statistics
  ip netns exec "$ns_a" sh -c "echo \$((\$(cat $s/tx_bytes) + \$(cat $s/rx_bytes)))"
}
# Starts the two-host job in the background: `timeout -k 5 LIMIT mpirun ...` inside namespace a, output to LOG.
start_job() {
  local limit="$1" log="$2"; shift 2
  : >"$log"
  # In a subshell (not exec'd: "; exit") whose own stderr, bash's "Killed" notice when the job is killed, goes nowhere.
  (ANNEAL_MPI_SHIM="$shim" timeout -k 5 "$limit" ip netns exec "$ns_a" mpirun --allow-run-as-root \
      --hostfile "$tmp/hosts" -np 2 --bind-to none --mca plm_rsh_agent "$tmp/rsh-agent" \
      --mca btl tcp,self --mca btl_tcp_if_include "$subnet" --mca oob_tcp_if_include "$subnet" \
      -x ANNEAL_MPI_SHIM java -Djava.awt.headless=true -jar "$jar" train --config "$tmp/job.yaml" "$@" \
      >"$log" 2>&1; exit $?) 2>/dev/null &
  job_pid=$!
}
# Waits for the job (unless kill_job did) and returns its status.
finish_job() {
  if [[ -n "$job_pid" ]]; then
    job_status=0
    wait "$job_pid" || job_status=$?
    job_pid=""
  fi
  return "$job_status"
}
show() { sed 's/^/  | /' "$1" | tail -n "${2:-40}" >&2; }

# a. Two-host training against one process of two replicas.
start_ms=$(now_ms)
before=$(veth_bytes)
start_job 120 "$tmp/a.log" --run-dir "$tmp/two-hosts"
status=0
finish_job || status=$?
((status == 0)) || { show "$tmp/a.log"; fail "a: the two-host job ended with status $status"; }
sent=$(($(veth_bytes) - before))
two_host_s=$(seconds_since "$start_ms")
grep -q '2 replicas (1 in each of 2 processes)' "$tmp/a.log" || { show "$tmp/a.log"; fail "a: not one rank per host"; }
timeout -k 5 120 java -Djava.awt.headless=true -jar "$jar" train --config "$tmp/job.yaml" --run-dir "$tmp/alone" \
    --set devices=2 >"$tmp/alone.log" 2>&1 || { show "$tmp/alone.log"; fail "a: the one-process run failed"; }
parameters=$(sed -n 's/^ *total *\([0-9,]*\)$/\1/p' "$tmp/alone.log" | tr -d ,)
updates=$(sed -n 's/^anneal: done: .* after \([0-9]*\) updates;.*/\1/p' "$tmp/alone.log")
[[ -n "$parameters" && -n "$updates" ]] || { show "$tmp/alone.log"; fail "a: no parameter or update count"; }
(cd "$tmp/alone" && find checkpoints -type f | sort) >"$tmp/alone.files"
(cd "$tmp/two-hosts" && find checkpoints -type f | sort) >"$tmp/two-hosts.files"
[[ -s "$tmp/alone.files" ]] || fail "a: the one-process run wrote no checkpoint"
cmp -s "$tmp/alone.files" "$tmp/two-hosts.files" || fail "a: different checkpoint files: $(diff "$tmp/alone.files" \
    "$tmp/two-hosts.files" | tr '\n' ' ')"
while read -r file; do
  cmp "$tmp/alone/$file" "$tmp/two-hosts/$file" >&2 || fail "a: $file differs between two hosts and one process"
done <"$tmp/alone.files"
throughput='s/"samples_per_second":[0-9.eE+-]*//'
cmp -s <(sed "$throughput" "$tmp/alone/metrics.jsonl") <(sed "$throughput" "$tmp/two-hosts/metrics.jsonl") \
    || fail "a: metrics.jsonl differs beyond samples_per_second"
gradient_bytes=$((parameters * 4 * updates))
((sent >= gradient_bytes)) || fail "a: the veth carried $sent bytes, fewer than the gradients' $gradient_bytes"
echo "two hosts: $(wc -l <"$tmp/alone.files") checkpoint files equal to one process of devices=2 ($updates updates" \
    "of $parameters parameters); veth carried $sent bytes >= $gradient_bytes gradient bytes; job $two_host_s s"

# b. A partition: the veth goes down while the job trains; the collective timeout must end it.
start_ms=$(now_ms)
start_job 150 "$tmp/b.log" --run-dir "$tmp/partition" --set train.collective_timeout="$collective_timeout" \
    --set data.train_samples=100000 --set train.epochs=8
progress='^ *update [0-9]+:|^epoch [0-9]+:'
until grep -Eq "$progress" "$tmp/b.log"; do
  kill -0 "$job_pid" 2>/dev/null || { show "$tmp/b.log"; fail "b: the job ended before it printed progress"; }
  (($(now_ms) - start_ms < 60000)) || { show "$tmp/b.log"; fail "b: no progress line within 60 s"; }
  sleep 0.05
done
progress_s=$(seconds_since "$start_ms")
ip -n "$ns_b" link set "$veth_b" down
down_ms=$(now_ms)
timed_out="collective '.*' timed out after $collective_timeout s on rank [01]"
until grep -q "$timed_out" "$tmp/b.log"; do
  if (($(now_ms) - down_ms > (collective_timeout + line_slack) * 1000)); then
    show "$tmp/b.log" 15
    fail "b: no line '$timed_out' within $((collective_timeout + line_slack)) s of the partition"
  fi
  sleep 0.05
done
line_s=$(seconds_since "$down_ms")
# The ranks (the JVMs) must end by themselves (MPI_Abort after the timeout); mpirun and the daemon on host b
# may not (their teardown waits on the cut link), so they get mpirun_grace seconds and are then ended.
rank_pids() {
  for pid in $(namespace_pids); do
    [[ -n "$(process_id "$pid")" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == java ]] && echo "$pid"
  done
  return 0
}
line_ms=$(now_ms)
while [[ -n "$(rank_pids)" ]]; do
  if (($(now_ms) - line_ms > rank_wait * 1000)); then
    show "$tmp/b.log" 15
    fail "b: a rank still runs $rank_wait s after the timeout line (pids $(rank_pids | tr '\n' ' '))"
  fi
  sleep 0.05
done
ranks_s=$(seconds_since "$down_ms")
ranks_ms=$(now_ms)
while kill -0 "$job_pid" 2>/dev/null && (($(now_ms) - ranks_ms < mpirun_grace * 1000)); do sleep 0.05; done
ended="mpirun ended by itself"
if kill -0 "$job_pid" 2>/dev/null; then
  ended="mpirun killed by the test ($mpirun_grace s after the ranks: its teardown hangs on the partition)"
  kill_job || fail "b: processes of the job survived SIGKILL"
fi
status=0
finish_job || status=$?
end_s=$(seconds_since "$down_ms")
kill_job || fail "b: processes of the job survived SIGKILL"
leftover="$(namespace_pids | tr '\n' ' ')"
[[ -z "$leftover" ]] || fail "b: processes of the job still running after kill: $leftover"
((status != 0)) || { show "$tmp/b.log"; fail "b: the partitioned job exited with status 0"; }
echo "partition (link down ${progress_s} s after the start, at the first progress line):" \
    "'$(grep -o "$timed_out.*" "$tmp/b.log" | head -1)' ${line_s} s after the link went down;" \
    "both ranks ended by ${ranks_s} s; $ended, status $status, at ${end_s} s; no process left;" \
    "part b $(seconds_since "$start_ms") s"
