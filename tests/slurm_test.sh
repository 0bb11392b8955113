#!/usr/bin/env bash
# A sweep run for real on Slurm: a single-node cluster (munge, slurmctld,
# slurmd from Debian's packages) started on localhost in a temporary
# directory, the sweep's job array submitted with sbatch, then merged.
# Skipped, with a clear message, only where Slurm cannot be had.
# Usage: slurm_test.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
skip() { echo "skipped: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
for tool in slurmctld slurmd sbatch squeue sinfo munged; do
  command -v $tool >/dev/null || skip "$tool is not installed (Debian: slurmctld slurmd slurm-client munge)"
done
[ "$(id -u)" -eq 0 ] || skip "starting slurmd needs root"

node=$(hostname -s)
mkdir -p "$TMP/state" "$TMP/spool" "$TMP/munge"
chmod 700 "$TMP/munge"
dd if=/dev/urandom of="$TMP/munge/key" bs=1024 count=1 status=none
chmod 400 "$TMP/munge/key"
munged --force --key-file="$TMP/munge/key" --socket="$TMP/munge/sock" --pid-file="$TMP/munge/pid" \
  --log-file="$TMP/munge/log" --seed-file="$TMP/munge/seed" || skip "munged would not start"
port=$((20000 + RANDOM % 20000))
cat >"$TMP/slurm.conf" <<CONF
ClusterName=mnsimtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$TMP/munge/sock
CredType=cred/munge
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$TMP/slurm.conf"
cleanup() {
  [ -f "$TMP/slurmd.pid" ] && kill "$(cat "$TMP/slurmd.pid")" 2>/dev/null
  [ -f "$TMP/slurmctld.pid" ] && kill "$(cat "$TMP/slurmctld.pid")" 2>/dev/null
  [ -f "$TMP/munge/pid" ] && kill "$(cat "$TMP/munge/pid")" 2>/dev/null
  sleep 1
  rm -rf "$TMP"
}
trap cleanup EXIT
slurmctld -c -f "$SLURM_CONF" || skip "slurmctld would not start: $(tail -3 "$TMP/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" || skip "slurmd would not start: $(tail -3 "$TMP/slurmd.log" 2>/dev/null)"
for i in $(seq 1 60); do
  state=$(sinfo -h -o %t 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || skip "the node did not come up (state '$state'): $(tail -3 "$TMP/slurmd.log" 2>/dev/null)"
ok slurm_cluster_up

cat >"$TMP/grid.sweep" <<SPEC
workload = $SRC/workloads/litmus/01-seed-cow-order.trace
policy = double, only_end, minimal
seeds = 2
SPEC
out=$("$MNSIM" sweep "$TMP/grid.sweep" -o "$TMP/sweep" --slurm --partition debug --time 00:05:00 --chunks 3 2>&1)
check slurm_submitted "grep -q 'Submitted batch job' <<<\"\$out\""
for i in $(seq 1 120); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 1
done
check slurm_array_done "[ -z \"\$(squeue -h)\" ] && [ \$(ls $TMP/sweep/points/*.h5 2>/dev/null | wc -l) -eq 6 ]"
check slurm_task_logs "[ \$(ls $TMP/sweep/slurm-*.out 2>/dev/null | wc -l) -eq 3 ]"
out=$("$MNSIM" sweep --merge "$TMP/sweep" --csv 2>&1)
check slurm_merged "grep -q 'merged 6 of 6 points' <<<\"\$out\" && [ \$(tail -n +2 $TMP/sweep/sweep-aggregate.csv | wc -l) -eq 3 ]"
finish
