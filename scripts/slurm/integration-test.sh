#!/usr/bin/env bash
# Integration test: a single-node Slurm on localhost runs a 4-task job array of a small sweep; the merged table must
# equal the unsharded run's byte for byte (sweep.csv and sweep.json).
#
#   scripts/slurm/integration-test.sh PATH/TO/lrsim
#
# Installs slurm-wlm and munge with apt-get when missing, starts munged (if none answers), slurmctld and slurmd with
# a private configuration, state and logs under a temporary directory, and stops the daemons it started (by pid)
# when it ends. Exit status: 0 passed, 77 skipped (not root, no apt-get, daemons would not start; the reason is
# printed on a line starting with SKIP:), 1 failed. KEEP=1 keeps the temporary directory.
set -uo pipefail
say() { echo "slurm-test: $*" >&2; }
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/lrsim" >&2; exit 2; }
LRSIM="$(readlink -f "$1")"
[ -x "$LRSIM" ] || fail "$1 is not an executable"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
[ "$(id -u)" = 0 ] || skip "needs root to start munged, slurmctld and slurmd"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
   || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "slurm-wlm and munge are not installed and apt-get is not available"
  say "installing slurm-wlm munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1; } \
    || skip "apt-get install slurm-wlm munge failed (no network or repository?)"
fi

WORK="$(mktemp -d /tmp/lrsim-slurm.XXXXXX)"
chmod 755 "$WORK"
STARTED=()
cleanup() {
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ "${KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# munge: reuse a running munged that answers, else start one with the system key (created if missing).
if ! (munge -n | unmunge) >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key 2>/dev/null; chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null
  rm -f /run/munge/munged.pid
  runuser -u munge -- /usr/sbin/munged || skip "munged would not start"
  for _ in $(seq 1 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  [ -s /run/munge/munged.pid ] && STARTED+=("$(cat /run/munge/munged.pid)")
  (munge -n | unmunge) >/dev/null 2>&1 || skip "munged started but does not answer"
fi

HOST="$(hostname -s)"
CPUS="$(nproc)"
PORT_CTL=$(( 20000 + RANDOM % 20000 ))
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log" "$WORK/jobs"
cat > "$WORK/slurm.conf" <<CONF
ClusterName=lrsimtest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT_CTL
SlurmdPort=$(( PORT_CTL + 1 ))
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=$CPUS State=UNKNOWN
PartitionName=lrsim Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$WORK/slurm.conf"

say "starting slurmctld and slurmd ($HOST, $CPUS CPUs, port $PORT_CTL, state in $WORK)"
slurmctld -D -i -f "$SLURM_CONF" >"$WORK/log/slurmctld.out" 2>&1 &
STARTED+=("$!")
sleep 1
slurmd -D -f "$SLURM_CONF" >"$WORK/log/slurmd.out" 2>&1 &
STARTED+=("$!")
state=""
for _ in $(seq 1 60); do
  state="$(sinfo -h -n "$HOST" -o %t 2>/dev/null | head -1)"
  [ "$state" = idle ] && break
  sleep 0.5
done
if [ "$state" != idle ]; then
  say "slurmctld log:"; tail -n 5 "$WORK/log/slurmctld.log" "$WORK/log/slurmctld.out" >&2 2>/dev/null
  say "slurmd log:"; tail -n 5 "$WORK/log/slurmd.log" "$WORK/log/slurmd.out" >&2 2>/dev/null
  skip "the Slurm node did not become idle within 30 s (state '${state:-none}')"
fi
say "node $HOST idle"

# A sim-only sweep of 8 points, absolute paths (tasks start in the job directory).
ARGS=(--hw "$ROOT/hwmodels/edge.toml" --vary pe.rows=8,16 --vary pe.cols=8,16 --vary clock.hz=4e8,5e8
      --model mlp:784-64-10 --estimator alr --copies 8 --batch 8 --iterations 2 --quiet)
"$LRSIM" sweep "${ARGS[@]}" --out "$WORK/whole" || fail "the unsharded sweep failed"

say "submitting a 4-task array"
job="$(cd "$WORK/jobs" && LRSIM="$LRSIM" timeout 300 sbatch --parsable --wait --array=0-3 --cpus-per-task=1 \
       "$ROOT/scripts/slurm/sweep-array.sbatch" "$WORK/out" "${ARGS[@]}")"
rc=$?
[ $rc = 0 ] || { tail -n 20 "$WORK"/jobs/*.out >&2 2>/dev/null; fail "the array job did not finish successfully (sbatch --wait: $rc)"; }
say "array job ${job%%;*} finished"
for i in 0 1 2 3; do
  [ -f "$WORK/out/shard-$i/sweep.csv" ] || fail "task $i wrote no $WORK/out/shard-$i/sweep.csv"
  n=$(($(wc -l < "$WORK/out/shard-$i/sweep.csv") - 1))
  [ "$n" = 2 ] || fail "shard $i holds $n points, expected 2"
done
"$LRSIM" sweep merge "$WORK"/out/shard-0 "$WORK"/out/shard-1 "$WORK"/out/shard-2 "$WORK"/out/shard-3 \
  --out "$WORK/merged" || fail "sweep merge failed"
cmp "$WORK/whole/sweep.csv" "$WORK/merged/sweep.csv" || fail "merged sweep.csv differs from the unsharded one"
cmp "$WORK/whole/sweep.json" "$WORK/merged/sweep.json" || fail "merged sweep.json differs from the unsharded one"
echo "PASS: 4-task Slurm array of an 8-point sweep, merged sweep.csv ($(wc -c < "$WORK/merged/sweep.csv") bytes) and sweep.json equal the unsharded run's"
