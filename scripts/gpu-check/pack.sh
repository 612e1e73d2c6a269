#!/usr/bin/env bash
# Packs reer's GPU check for a machine with CUDA but no Node and no network (at most 60 MiB):
#
#   scripts/gpu-check/pack.sh OUTDIR     pack into OUTDIR (replaced), e.g. gpu-pack (gitignored)
#   scripts/gpu-check/pack.sh --list     print what would be packed, without packing
#
# OUTDIR then holds:
#   run.sh                      the check (see its head; `bash run.sh --cpu` rehearses it on a CPU)
#   node-<version>-linux-x64.xz this machine's Node binary (process.execPath), stripped, xz
#   app.tar.xz                  the app folder (scripts/gpu-check/packList.mjs): reer's package.json,
#                               dist/ (npm run build), native/, prompts/, the native build scripts,
#                               the bench scripts compiled to JS (tsconfig.bench.json), and the
#                               production node_modules without node-llama-cpp's prebuilt binaries,
#                               with its llama.cpp sources trimmed to a CPU and CUDA build
#   MANIFEST.txt                sizes and sha256 of the above
# The addon build needs no Node headers: cmake-js builds N-API addons against the
# node-api-headers and node-addon-api packages, which are production dependencies.
# REER_GPU_PACK_LIMIT_MIB (default 60) is the size the pack must stay under.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
limit_mib="${REER_GPU_PACK_LIMIT_MIB:-60}"
node_version="$(node -p 'process.version')"
node_name="node-${node_version}-linux-x64.xz"

if [[ "${1:-}" == "--list" ]]; then
    echo "run.sh"
    echo "$node_name (node ${node_version}, stripped, xz)"
    echo "app.tar.xz (the app/ folder below)"
    echo "MANIFEST.txt"
    exec node "$repo/scripts/gpu-check/packList.mjs" --list
fi
if [[ $# -ne 1 || "$1" == -* ]]; then
    sed -n '2,6p' "${BASH_SOURCE[0]}" >&2
    exit 2
fi

out="$(mkdir -p "$1" && cd "$1" && pwd)"
case "$out" in
    /|"$repo"|"$HOME") echo "pack.sh: refusing to replace $out" >&2; exit 2 ;;
esac
# Replace only an earlier pack (or an empty folder).
if [[ -n "$(ls -A "$out")" && ! -f "$out/run.sh" ]]; then
    echo "pack.sh: $out holds files that are not an earlier pack; pick an empty folder" >&2
    exit 2
fi
started=$SECONDS
step() { echo "== [$((SECONDS - started)) s] $*"; }
tmp="$(mktemp -d "${TMPDIR:-/tmp}/reer-gpu-pack.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

step "npm run build"
(cd "$repo" && npm run -s build)

step "compiling the bench scripts (tsconfig.bench.json)"
(cd "$repo" && node_modules/.bin/tsc -p tsconfig.bench.json --outDir "$tmp/bench")

step "staging the app folder"
node "$repo/scripts/gpu-check/packList.mjs" --stage "$tmp/stage" --bench-dir "$tmp/bench"

find "$out" -mindepth 1 -delete
step "compressing the app folder"
(cd "$tmp/stage" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2020-01-01 00:00Z' -cf - app) |
    xz -T0 -9 >"$out/app.tar.xz"

# The stripped, compressed Node binary is the slow part (a minute on 2 cores): kept in a cache.
node_bin="$(node -p 'process.execPath')"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/reer-gpu-check"
node_sha="$(sha256sum "$node_bin" | cut -c1-16)"
cached="$cache/node-${node_version}-${node_sha}.xz"
if [[ ! -f "$cached" ]]; then
    step "stripping and compressing $node_bin (node $node_version)"
    mkdir -p "$cache"
    strip -o "$tmp/node" "$node_bin" 2>/dev/null || cp "$node_bin" "$tmp/node"
    "$tmp/node" --version >/dev/null
    xz -T0 -9e -c "$tmp/node" >"$cached.partial"
    mv "$cached.partial" "$cached"
else
    step "node $node_version: from $cached"
fi
cp "$cached" "$out/$node_name"
cp "$repo/scripts/gpu-check/run.sh" "$out/run.sh"
chmod +x "$out/run.sh"

(cd "$out" && {
    echo "reer GPU check, packed $(date -u '+%Y-%m-%d %H:%M:%S UTC') from $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "a checkout")$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo " with changes")"
    echo "app: $(find "$tmp/stage/app" -type f | wc -l) files, $(du -sm "$tmp/stage/app" | cut -f1) MiB unpacked"
    for file in run.sh "$node_name" app.tar.xz; do
        printf '%10d  %s  %s\n' "$(stat -c %s "$file")" "$(sha256sum "$file" | cut -c1-16)" "$file"
    done
} >MANIFEST.txt)

bytes="$(du -cb "$out"/run.sh "$out/$node_name" "$out"/app.tar.xz "$out"/MANIFEST.txt | tail -n 1 | cut -f1)"
mib="$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
cat "$out/MANIFEST.txt"
step "packed $out: $mib MiB ($bytes bytes; limit $limit_mib MiB)"
if ((bytes > limit_mib * 1048576)); then
    echo "pack.sh: the pack is over $limit_mib MiB" >&2
    exit 1
fi
