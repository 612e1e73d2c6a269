#!/usr/bin/env bash
# Stops the cluster that start.sh started in the folder given (or SLURM_LOCAL_DIR): kills
# slurmd, slurmctld and munged by their pid files, then removes the folder (kept with --keep).
set -uo pipefail

keep=0
if [[ "${1:-}" == --keep ]]; then keep=1; shift; fi
dir="${1:-${SLURM_LOCAL_DIR:-}}"
[[ -n "$dir" && -d "$dir" ]] || { echo "slurm-local: no cluster folder given (argument or SLURM_LOCAL_DIR)" >&2; exit 1; }

# Jobs still running belong to slurmd's step daemons, which outlive slurmd: they are killed
# first, and their end reported, while the daemons still answer (bounded: 20 s).
if [[ -f "$dir/slurm.conf" && -f "$dir/slurmctld.pid" ]]; then
    export SLURM_CONF="$dir/slurm.conf"
    timeout 10 scancel --full --signal=KILL --partition=local 2>/dev/null || true
    for _ in $(seq 40); do
        [[ -z "$(timeout 5 squeue -h -p local 2>/dev/null)" ]] && break
        sleep 0.5
    done
fi

pids=()
for file in slurmd.pid slurmctld.pid munge/munged.pid; do
    [[ -f "$dir/$file" ]] || continue
    pid="$(cat "$dir/$file")"
    if [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; then pids+=("$pid"); fi
done
# Bounded wait for them to exit, then SIGKILL.
for _ in $(seq 50); do
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    (( ${#alive[@]} == 0 )) && break
    sleep 0.2
done
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done

(( keep )) || rm -rf "$dir"
exit 0
