#!/usr/bin/env bash
# Rehearses the GPU check on this machine's CPU, as the GPU machine will see it:
#   1. packs it (pack.sh PACKDIR);
#   2. copies the pack into an empty folder outside the checkout (no node_modules above it);
#   3. runs `run.sh --cpu` there with an empty environment (env -i PATH=/usr/bin:/bin, a fresh
#      HOME) and, where `unshare -n` works (root), without any network;
#   4. checks that every phase ended ok and that nothing but node-llama-cpp's
#      `npm run -s cmake-js-llama` reached npm.
#
#   scripts/gpu-check/rehearse.sh [PACKDIR (default gpu-pack)] [FOLDER (default: a new one in $TMPDIR)]
#
# It builds the CPU addon from the packed sources (about 5 minutes on 2 cores) and holds
# /tmp/reer-heavy-cpu meanwhile (work that measures speed waits while that file exists).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pack="${1:-$repo/gpu-pack}"
folder="${2:-$(mktemp -d "${TMPDIR:-/tmp}/reer-gpu-rehearsal.XXXXXX")}"
marker=/tmp/reer-heavy-cpu
started=$SECONDS

if [[ ! -e "$marker" ]]; then
    touch "$marker"
    trap 'rm -f "$marker"' EXIT
fi

bash "$repo/scripts/gpu-check/pack.sh" "$pack"

folder="$(mkdir -p "$folder" && cd "$folder" && pwd)"
case "$folder/" in "$repo"/*) echo "rehearse.sh: $folder is inside the checkout; pick a folder outside it" >&2; exit 2 ;; esac
if [[ -n "$(ls -A "$folder")" ]]; then echo "rehearse.sh: $folder is not empty" >&2; exit 2; fi
cp "$pack"/run.sh "$pack"/node-*.xz "$pack"/app.tar.xz "$pack"/MANIFEST.txt "$folder/"
mkdir -p "$folder/home"

isolate=()
if unshare -n true 2>/dev/null; then isolate=(unshare -n); fi
echo "== rehearsal in $folder (${isolate[*]:-with network: unshare -n is not available}) with env -i"
status=0
(cd "$folder" && "${isolate[@]}" env -i PATH=/usr/bin:/bin HOME="$folder/home" bash run.sh --cpu) || status=$?

results="$folder/results.txt"
[[ -f "$results" ]] || { echo "rehearse.sh: run.sh wrote no results.txt" >&2; exit 1; }
problems=()
((status == 0)) || problems+=("run.sh exited with $status")
# The summary lists every phase with its status.
while read -r phase verdict _; do
    [[ "$verdict" == ok ]] || problems+=("phase $phase: $verdict")
done < <(sed -n '/^== summary/,/^total /p' "$results" | sed '1,2d;$d')
grep -q '^build  *ok ' "$results" || problems+=("no build phase in the summary")
if grep -E '^ +[0-9]+ npm ' "$results" | grep -vq 'npm run -s cmake-js-llama -- '; then problems+=("npm ran something other than cmake-js-llama"); fi
echo "== rehearsal took $((SECONDS - started)) s; results: $results"
if ((${#problems[@]} > 0)); then
    printf 'rehearse.sh: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "rehearsal ok"
