#!/usr/bin/env bash
# End-to-end test of `clustersim plan --slurm` on a real Slurm (part of .ci/run; needs root).
#
# Installs Debian's slurm-wlm and munge if they are missing, starts a single-node Slurm on the
# loopback interface (munged as the munge user, slurmctld and slurmd as root, every file in a
# temporary folder, nothing under /etc touched), writes a plan of a small scenario in 4 shards,
# submits it with the plan's own submit.sh, waits for the shard array and the merge job (with a
# time limit), checks every array task and the merge completed with exit code 0, that every
# shard folder exists, and that the merged folder equals a one-machine `clustersim run` of the
# same command byte for byte (diff -r). Every daemon it started is stopped by its PID, and its
# end is checked in /proc/PID/stat (a stopped daemon can linger as a zombie until reaped).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs=1000
shards=4
seed=20261128
wait_seconds=180
started=$SECONDS
# The daemons live in /usr/sbin, which a non-login environment may leave off PATH.
export PATH="$PATH:/usr/sbin:/sbin"

say() { echo "slurm test: $*" >&2; }

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 \
  || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  say "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm munge >/dev/null
fi
(cd "$root" && cargo build --release --quiet)
binary="$root/target/release/clustersim"

work="$(mktemp -d /tmp/clustersim-slurm.XXXXXX)"
chmod 755 "$work"
export SLURM_CONF="$work/slurm.conf"
daemons=()
names=()
jobs_submitted=()

# The state letter of a process (R, S, D, Z, …), or nothing once it is gone. The name in
# /proc/PID/stat is in parentheses and may hold spaces, so the state is read after the last ')'.
state_of() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  stat="${stat##*) }"
  echo "${stat%% *}"
}

# Stops one daemon (a child of this script): TERM, up to 15 s to exit, then KILL; reaps it and
# checks that it is gone rather than a zombie.
stop_daemon() {
  local pid="$1" name="$2" state
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do
    state="$(state_of "$pid")"
    if [ -z "$state" ] || [ "$state" = Z ] || [ "$state" = X ]; then break; fi
    sleep 0.1
  done
  state="$(state_of "$pid")"
  if [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]; then
    say "$name (pid $pid) did not stop on TERM (state $state); killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  state="$(state_of "$pid")"
  if [ -n "$state" ]; then
    say "$name (pid $pid) is still there after stopping (state $state)"
    return 1
  fi
}

cleanup() {
  local status=$? index
  if [ "$status" -ne 0 ]; then
    say "FAILED; logs follow"
    for file in "$work"/log/* "$work"/plan/logs/*.out "$work"/munge/munged.log; do
      [ -f "$file" ] && { echo "----- $file" >&2; tail -n 40 "$file" >&2; }
    done
  fi
  if [ "${#jobs_submitted[@]}" -gt 0 ]; then
    scancel "${jobs_submitted[@]}" 2>/dev/null || true
    if ! wait_until "the job steps to end" 15 no_job_steps; then
      for pid in $(live_processes slurmstepd); do kill -KILL "$pid" 2>/dev/null || true; done
      status=1
    fi
  fi
  for ((index = ${#daemons[@]} - 1; index >= 0; index--)); do
    stop_daemon "${daemons[index]}" "${names[index]}" || status=1
  done
  rm -rf "$work"
  if [ "$status" -eq 0 ]; then
    say "passed in $((SECONDS - started)) s"
    echo "slurm end-to-end: 1 passed, 0 failed"
  else
    echo "slurm end-to-end: 0 passed, 1 failed"
  fi
  exit "$status"
}
trap cleanup EXIT

# Waits up to $2 seconds for the command $3… to succeed; fails with the message $1.
wait_until() {
  local what="$1" seconds="$2"
  shift 2
  for _ in $(seq $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  say "timed out after $seconds s waiting for $what"
  return 1
}

# Starts a daemon in the foreground as a child of this script, its output in log/NAME.out.
start_daemon() {
  local name="$1"
  shift
  "$@" >>"$work/log/$name.out" 2>&1 &
  daemons+=("$!")
  names+=("$name")
}

# PIDs of live (not zombie) processes named $1: the job steps slurmd started.
live_processes() {
  local stat pid state
  for stat in /proc/[0-9]*/stat; do
    pid="${stat#/proc/}"
    pid="${pid%/stat}"
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || continue
    state="$(state_of "$pid")"
    if [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]; then echo "$pid"; fi
  done
}
no_job_steps() { [ -z "$(live_processes slurmstepd)" ]; }

# munge: a fresh key and socket of our own, the daemon in the foreground as the munge user.
mkdir -p "$work/munge" "$work/log" "$work/state" "$work/spool"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$work/munge"
chmod 755 "$work/munge"
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
start_daemon munged setpriv --reuid=munge --regid=munge --init-groups \
  munged --foreground --socket="$socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed"
wait_until "munged's socket" 20 test -S "$socket"

for port in 16817 16818; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    say "port $port on 127.0.0.1 is taken; stop what listens there"
    exit 1
  fi
done
cat >"$SLURM_CONF" <<CONF
ClusterName=clustersim-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
start_daemon slurmctld slurmctld -D -f "$SLURM_CONF"
start_daemon slurmd slurmd -D -f "$SLURM_CONF" -N localhost
node_idle() { [ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ]; }
wait_until "the node to be idle" 30 node_idle
say "Slurm is up after $((SECONDS - started)) s"

# The plan, submitted as a user would; jobs inherit this environment. SOURCE_DATE_EPOCH pins the
# times the results record (the plan's scripts export it), so that manifests and reports of the
# merge and of one machine can be equal.
export PATH
export SOURCE_DATE_EPOCH=1700000000
plan="$work/plan"
"$binary" plan "$root/tests/data/minimal.json" --runs "$runs" --shards "$shards" \
  --seed "$seed" --slurm "$plan" >/dev/null
submitted="$(bash "$plan/submit.sh")"
echo "$submitted" >&2
shards_job="$(awk '/^shards job:/ {print $3}' <<<"$submitted")"
merge_job="$(awk '/^merge job:/ {print $3}' <<<"$submitted")"
jobs_submitted=("$shards_job" "$merge_job")
no_jobs_left() { [ -z "$(squeue -h -j "$shards_job,$merge_job" 2>/dev/null)" ]; }
wait_until "the shards and the merge to finish" "$wait_seconds" no_jobs_left

# Every array task and the merge completed with exit code 0.
job_states() { scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]* .*ExitCode=[0-9:]*' \
  | sed -E 's/^JobState=([A-Z_]+) .*ExitCode=([0-9:]+)$/\1 \2/'; }
completed="$(job_states "$shards_job" | grep -c '^COMPLETED 0:0$' || true)"
if [ "$completed" -ne "$shards" ]; then
  say "expected $shards completed array tasks, found $completed:"
  scontrol -o show job "$shards_job" >&2
  exit 1
fi
if [ "$(job_states "$merge_job")" != "COMPLETED 0:0" ]; then
  say "the merge job did not complete:"
  scontrol -o show job "$merge_job" >&2
  exit 1
fi
for shard in $(seq 1 "$shards"); do
  if [ ! -d "$plan/shards/shard-$shard" ]; then
    say "shard folder $plan/shards/shard-$shard is missing"
    exit 1
  fi
done

# The merged folder is the one-machine result of the same command, byte for byte.
"$binary" run "$plan/scenario.json" --runs "$runs" --seed "$seed" --threads 1 \
  --out "$work/one-machine" --quiet
diff -r "$work/one-machine" "$plan/result"
say "merged result of $shards shards equals the one-machine run byte for byte"
