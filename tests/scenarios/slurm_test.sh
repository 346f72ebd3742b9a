#!/usr/bin/env bash
# scripts/slurm on a real one-node Slurm cluster started here (Debian's slurm-wlm and munge, own
# config, key, sockets, state and logs in a scratch folder; nothing of the system's is touched):
# submit.sh runs an experiment as 3 array tasks plus a merge job; the merged file must equal a
# one-process run cell for cell and print the same report. Exits 77 (skipped) without Slurm.
# Usage: slurm_test.sh RECBENCH_BINARY PROJECT_DIR
set -uo pipefail
bin=$1
project=$2
export PATH=$PATH:/usr/sbin:/sbin
for tool in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$tool" >/dev/null || { echo "slurm_test: $tool not installed; skipped"; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
source "$here/scenario_lib.sh"
started=$SECONDS

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap stop_all EXIT
logs() {
  for f in log/*.log parts/slurm-*.out; do
    [ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }
  done
}
die() {
  echo "FAIL: $*"
  logs
  exit 1
}

# munge: a fresh key and a private socket.
mkdir -p munge log state spool
chmod 755 munge  # munged wants its socket's folder searchable by all; the key stays private
head -c 1024 /dev/urandom >munge/munge.key
chmod 400 munge/munge.key
munged --foreground --force --socket="$work/munge/socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/seed" \
  --log-file="$work/log/munged.log" >log/munged.out 2>&1 &
pids+=($!)

user=$(id -un)
port=$((20000 + RANDOM % 20000))
host=$(hostname -s)
export SLURM_CONF=$work/slurm.conf
: >plugstack.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=recbench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/socket
PlugStackConfig=$work/plugstack.conf
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups in containers: track processes by their parent, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=60
NodeName=node0 NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=node0 Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -c -f "$SLURM_CONF" >log/slurmctld.out 2>&1 &
pids+=($!)
slurmd -D -N node0 -f "$SLURM_CONF" >log/slurmd.out 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  [ "$(sinfo -h -n node0 -o %T 2>/dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo -h -n node0 -o %T 2>/dev/null)" = idle ] || die "the Slurm node did not come up"
echo "slurm up after $((SECONDS - started)) s"

# The experiment: two datasets, a model that reads another's artefacts, two seeds.
cp "$here/shard/experiment.toml" exp.toml
RECBENCH=$bin "$project/scripts/slurm/submit.sh" exp.toml 3 --parts parts --out merged.h5 \
  --run '--set experiment.cache_dir="cache"' >submit.out 2>&1 || { cat submit.out; die "submit.sh"; }
cat submit.out
for _ in $(seq 1 300); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h)" ] && ok || { squeue; fail "jobs still queued after 150 s"; }
check "the merge job wrote merged.h5" test -s merged.h5
[ -s merged.h5 ] || logs

"$bin" run exp.toml --out whole.h5 --set experiment.cache_dir=\"cache\" >/dev/null 2>&1
check "merged cells equal a one-process run's" /usr/bin/python3 "$here/same_cells.py" \
  whole.h5 merged.h5 "$project/python"
check "same report" diff <("$bin" report whole.h5) <("$bin" report merged.h5)
check "the merge job printed the report" grep -q "| rsllm" parts/slurm-merge-*.out
echo "slurm test took $((SECONDS - started)) s"
finish slurm
