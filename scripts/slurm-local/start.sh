#!/usr/bin/env bash
# Starts a one-node SLURM cluster on this host, for tests and for trying the sbatch examples
# without a real cluster. Everything lives in one folder (first argument, or SLURM_LOCAL_DIR,
# or a new temp folder): a generated munge key, munged, slurmctld and slurmd with their state,
# spool, logs and pid files. No systemd, no cgroups: it runs in a container, as root.
#
#   scripts/slurm-local/start.sh /tmp/slurm   # prints the export line for the clients
#   export SLURM_CONF=/tmp/slurm/slurm.conf   # sinfo, sbatch, squeue, scancel now use it
#   scripts/slurm-local/stop.sh /tmp/slurm    # kills the daemons, removes the folder
#
# Needs Debian's slurmctld, slurmd, slurm-client and munge packages. The ports are picked
# free at start, so two clusters (or a system SLURM) can run side by side.
# SLURM_LOCAL_TIMEOUT (seconds, default 60) bounds the wait for the node to become idle.
set -euo pipefail

dir="${1:-${SLURM_LOCAL_DIR:-}}"
[[ -n "$dir" ]] || dir="$(mktemp -d "${TMPDIR:-/tmp}/slurm-local.XXXXXX")"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
timeout="${SLURM_LOCAL_TIMEOUT:-60}"

fail() {
    echo "slurm-local: $*" >&2
    for log in "$dir"/log/*.log; do
        [[ -f "$log" ]] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
    done
    "$(dirname "${BASH_SOURCE[0]}")/stop.sh" --keep "$dir" >&2 || true
    exit 1
}

for bin in munged slurmctld slurmd sinfo; do
    command -v "$bin" >/dev/null || fail "$bin not found; install with: apt-get install -y slurmctld slurmd slurm-client munge"
done
[[ $(id -u) == 0 ]] || fail "must run as root (slurmd starts jobs as their submitting user)"

# munged wants its key and socket in folders only root can write to and every user can
# enter, up to / (clients of all users connect to the socket).
parent="$(dirname "$dir")"
while [[ "$parent" != / ]]; do
    [[ $(( 8#$(stat -c %a "$parent") & 1 )) == 1 ]] || fail "munged needs every folder above $dir enterable by all users; $parent is not (chmod o+x, or pick another folder)"
    parent="$(dirname "$parent")"
done
mkdir -p "$dir/munge" "$dir/log" "$dir/state" "$dir/spool"
chmod 755 "$dir" "$dir/munge"
head -c 1024 /dev/urandom >"$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"

# A port nothing listens on (bash's /dev/tcp connects only when something does).
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}
ctld_port="$(free_port)"
slurmd_port="$(free_port)"
while [[ "$slurmd_port" == "$ctld_port" ]]; do slurmd_port="$(free_port)"; done

host="$(hostname -s)"
cpus="$(nproc)"
# A little under the total: a node claiming more memory than slurmd finds is drained.
memory_mb=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 * 95 / 100 ))

cat >"$dir/slurm.conf" <<CONF
ClusterName=local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# Containers have no usable cgroups: track processes by parent pid, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
# Jobs share the node by CPU and memory, so array tasks run side by side.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SlurmdParameters=config_overrides
ReturnToService=2
# scancel: SIGTERM, then SIGKILL after KillWait seconds.
KillWait=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF="$dir/slurm.conf"

munged --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
    || fail "munged did not start"
slurmctld -c -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"

started=$SECONDS
until [[ "$(sinfo -h -N -n "$host" -o '%t' 2>/dev/null)" == idle ]]; do
    if (( SECONDS - started >= timeout )); then
        fail "node $host not idle after ${timeout} s; sinfo: $(sinfo -N 2>&1 | tr '\n' ' ')"
    fi
    sleep 0.5
done
sinfo -N
echo "export SLURM_CONF=$SLURM_CONF"
