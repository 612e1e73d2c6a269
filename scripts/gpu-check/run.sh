#!/usr/bin/env bash
# reer's GPU check, run from the folder scripts/gpu-check/pack.sh made, on a machine with
# CUDA (nvcc, cmake, ninja, a C++ compiler), Python and no Node and no network:
#   1. unpacks the Node binary and the app folder (reer, its production node_modules and the
#      llama.cpp sources node-llama-cpp builds from) into work/;
#   2. builds reer's patched addon, CPU and CUDA (REER_NATIVE_GPU=cuda), through
#      scripts/build-native.mjs, for the local GPU's architecture only;
#   3. writes the random-weight bench model (Qwen2.5-0.5B shape) and 32 pairs;
#   4. runs bench:score, bench:synth with 1, 8 and 32 items in flight, bench:generation, and
#      `reer synthesize --parallel auto` on the GPU.
# Every number goes to ONE file, results.txt, in $OUT when set (else next to this script);
# each phase's full output goes to gpu-check-logs/ beside it. Each phase has a time limit,
# and all of them together stay within the budget (REER_GPU_CHECK_BUDGET_S, default 470 s),
# so the check ends within 8 minutes; a phase that fails or runs out of time is recorded and
# the next one runs.
#
#   bash run.sh          the GPU check
#   bash run.sh --cpu    the same steps on the CPU backend with small sizes (a rehearsal)
#
# Nothing here reaches a network or a package registry: npm is replaced by a stand-in that
# only runs package.json scripts (node-llama-cpp's build runs cmake-js through one), and git,
# npx, curl and wget by stand-ins that refuse; every call to them is listed in results.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
backend=cuda
for arg in "$@"; do
    case "$arg" in
        --cpu) backend=cpu ;;
        -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

work="${REER_GPU_CHECK_WORK:-$here/work}"
results_dir="${OUT:-$here}"
results="$results_dir/results.txt"
logs="$results_dir/gpu-check-logs"
if [[ "$backend" == cuda ]]; then default_budget=470; else default_budget=1800; fi
budget="${REER_GPU_CHECK_BUDGET_S:-$default_budget}"
t0=$SECONDS
deadline=$((t0 + budget))

rm -rf "$work" "$logs"
mkdir -p "$work" "$logs" "$results_dir"
: >"$results"
calls="$work/calls.log"
: >"$calls"

stamp() { printf '[%s +%ds]' "$(date -u +%H:%M:%S)" "$((SECONDS - t0))"; }
say() { echo "$(stamp) $*"; }
out() { printf '%s\n' "$*" >>"$results"; }
summary=()

# phase NAME LIMIT_S COMMAND...: runs COMMAND within min(LIMIT_S, time left), its stdout into
# results.txt (the benches print their numbers there; the line per item stays in the log) and
# into the log, its stderr into the log; on failure the log's last lines go to results.txt
# too. Returns the command's status.
phase() {
    local name="$1" limit="$2"
    shift 2
    local left=$((deadline - SECONDS))
    ((left < limit)) && limit=$left
    if ((limit < 5)); then
        say "$name: skipped, the time budget is spent"
        out "== $name: skipped (the ${budget} s budget is spent)"
        summary+=("$(printf '%-22s %-10s %5s' "$name" skipped -)")
        return 1
    fi
    say "$name (limit ${limit} s)"
    out "== $name"
    local started=$SECONDS status=0
    # A child bash, so that the exported functions below can be phases too; timeout signals
    # its whole process group (node, cmake, ninja, the compilers).
    timeout --kill-after=10 "$limit" bash -c '"$@"' bash "$@" >"$logs/$name.out" 2>"$logs/$name.err" || status=$?
    local took=$((SECONDS - started)) verdict=ok
    if ((status == 124 || status == 137)); then verdict="timed out after ${limit} s"
    elif ((status != 0)); then verdict="failed (exit $status)"; fi
    grep -v -E '^  engine: |^\[[0-9]+/[0-9]+\] ' "$logs/$name.out" >>"$results" || true
    if [[ "$verdict" != ok ]]; then
        local errors="$logs/$name.err"
        # The build sends everything to its full log, which a timeout leaves unsummarised.
        [[ -s "$errors" || ! -f "$logs/$name.full.log" ]] || errors="$logs/$name.full.log"
        out "-- last lines of $(basename "$errors"):"
        tail -n 40 "$errors" | sed 's/^/   /' >>"$results"
    fi
    out "-- $name: $verdict in ${took} s"
    summary+=("$(printf '%-22s %-10s %5s' "$name" "${verdict%% *}" "$took")")
    say "$name: $verdict in ${took} s"
    [[ "$verdict" == ok ]]
}

finish() {
    out ""
    out "== summary (${backend}; budget ${budget} s)"
    out "$(printf '%-22s %-10s %5s' phase status seconds)"
    local line
    for line in "${summary[@]}"; do out "$line"; done
    out "total $((SECONDS - t0)) s"
    out "calls to npm, git, npx, curl, wget (npm: a local stand-in that only runs package.json scripts; the rest refused):"
    if [[ -s "$calls" ]]; then sort "$calls" | uniq -c | sed 's/^/  /' >>"$results"; else out "  none"; fi
    echo
    cat "$results"
}
trap finish EXIT

# ---------------------------------------------------------------- unpack
unpack() {
    local node_xz
    node_xz="$(ls "$here"/node-*.xz | head -n 1)"
    mkdir -p "$work/node/bin"
    if command -v xz >/dev/null; then
        xz -dc "$node_xz" >"$work/node/bin/node"
        tar -xJf "$here/app.tar.xz" -C "$work"
    else
        python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$node_xz" "$work/node/bin/node"
        python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$here/app.tar.xz" "$work"
    fi
    chmod +x "$work/node/bin/node"
    echo "node $("$work/node/bin/node" --version), app $(du -sh "$work/app" | cut -f1) unpacked"
}
export here work logs backend
export -f unpack
say "reer GPU check ($backend) in $here; results in $results"
out "reer GPU check, backend $backend, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
phase unpack 120 unpack || exit 1

app="$work/app"
shims="$work/shims"
mkdir -p "$shims"
cat >"$shims/npm" <<EOF
#!/bin/sh
exec "$work/node/bin/node" "$app/scripts/gpu-check/npmRunShim.mjs" "\$@"
EOF
for tool in git npx curl wget; do
    cat >"$shims/$tool" <<EOF
#!/bin/sh
echo "$tool \$*" >>"$calls"
echo "$tool: not available in the reer GPU check (no network, no git history)" >&2
exit 1
EOF
done
if ! command -v patch >/dev/null; then
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$work/node/bin/node" "$app/scripts/gpu-check/patchFallback.mjs" >"$shims/patch"
    out "note: no patch command here; native/*.patch applied by scripts/gpu-check/patchFallback.mjs"
fi
chmod +x "$shims"/*
export PATH="$shims:$work/node/bin:$PATH"
[[ -d /usr/local/cuda/bin ]] && export PATH="$PATH:/usr/local/cuda/bin"
[[ -d /usr/local/cuda/lib64 ]] && export LD_LIBRARY_PATH="/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export REER_GPU_CHECK_CALL_LOG="$calls"
export HOME="${HOME:-$work/home}"
cd "$app"

# ---------------------------------------------------------------- the machine
machine() {
    echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "node: $(node --version); cmake: $(cmake --version | head -n 1); ninja: $(ninja --version 2>/dev/null || echo none)"
    echo "c++: $(c++ --version | head -n 1); patch: $(patch --version 2>/dev/null | head -n 1 || true)"
    if command -v nvidia-smi >/dev/null; then
        nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version,compute_cap --format=csv
    else
        echo "nvidia-smi: not found"
    fi
    if command -v nvcc >/dev/null; then nvcc --version | tail -n 2; else echo "nvcc: not on PATH"; fi
}
export -f machine
phase machine 30 machine || true

# ---------------------------------------------------------------- build
if [[ "$backend" == cuda ]]; then
    gpu_flag=cuda
    # scripts/native/cpuBuildOptions.mjs asks for CMAKE_CUDA_ARCHITECTURES=native when cmake and
    # nvcc are new enough, and its value then wins; this one only matters when it does not.
    arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d '. ' || true)"
    [[ -n "$arch" ]] && export npm_cmake_CMAKE_CUDA_ARCHITECTURES="$arch"
else
    gpu_flag=off
fi
build() {
    local native_gpu=false
    [[ "$backend" == cuda ]] && native_gpu=cuda
    # The whole output to the log; reer's own summary lines to results.txt.
    REER_NATIVE_GPU=$native_gpu REER_NATIVE_STRICT=1 REER_NATIVE_FORCE=1 node scripts/build-native.mjs 2>&1 |
        tee "$logs/build.full.log" | { grep --line-buffered '^\[reer native\]' || true; }
    local statuses=("${PIPESTATUS[@]}")
    # On failure, the compiler's and cmake's last words (run.sh puts the error output in results.txt).
    ((statuses[0] == 0)) || tail -n 40 "$logs/build.full.log" >&2
    return "${statuses[0]}"
}
export -f build
# Without the build nothing else can run, so it may take all but the last 90 s.
if ! phase build $((budget - 90)) build; then
    say "the native build failed; the benches would measure nothing useful"
    exit 1
fi

# ---------------------------------------------------------------- inputs
model="$work/models/bench-model.gguf"
pairs="$work/pairs.jsonl"
if [[ "$backend" == cuda ]]; then
    phase bench-model 90 node scripts/bench-model/makeBenchModel.js --out "$model" || exit 1
    node scripts/gpu-check/makePairs.mjs --out "$pairs" --count 32 >/dev/null
else
    # 2 layers: the Qwen2.5-0.5B width and vocabulary, a fraction of the work per token.
    phase bench-model 180 node scripts/bench-model/makeBenchModel.js --out "$model" --layers 2 || exit 1
    node scripts/gpu-check/makePairs.mjs --out "$pairs" --count 32 --response-chars 400 >/dev/null
fi

# ---------------------------------------------------------------- benches
if [[ "$backend" == cuda ]]; then
    score_args=()
    synth_args=()
    generation_args=()
    synth_runs=("1 8" "8 16" "32 32")   # items in flight, items
    auto_items=32
    bench_limit=60
else
    # bench-score's part (2) takes candidates 1 and 2, so 3 at least; bench-synth needs about 40
    # new tokens for a draft of two segments (shorter ones are merged into one, and skipped).
    score_args=(--prefix 256 --scored 64 --candidates 3 --stock-tokens 16)
    synth_args=(--max-tokens 48 --max-steps 1)
    generation_args=(--tokens 16)
    synth_runs=("1 2" "8 8" "32 32")
    auto_items=2
    bench_limit=600   # 32 items in flight take 1 to 2 minutes on 2 idle cores, much longer on busy ones
fi
phase bench-score "$bench_limit" node scripts/bench-score.js --model "$model" --text "$pairs" --gpu "$gpu_flag" "${score_args[@]}" || true
for run in "${synth_runs[@]}"; do
    read -r parallel items <<<"$run"
    phase "bench-synth-p$parallel" "$bench_limit" node scripts/bench-synth.js --model "$model" --pairs "$pairs" --gpu "$gpu_flag" \
        --parallel "$parallel" --items "$items" --skip-baseline "${synth_args[@]}" || true
done
phase bench-generation "$bench_limit" node scripts/bench-generation.js --model "$model" --gpu "$gpu_flag" "${generation_args[@]}" || true

# reer synthesize itself, choosing the items in flight (--parallel auto: from free GPU memory).
head -n "$auto_items" "$pairs" >"$work/auto-pairs.jsonl"
synthesize_auto() {
    node dist/cli/cli.js synthesize "$work/auto-pairs.jsonl" -o "$work/auto-traces.jsonl" --model "$model" --gpu "$gpu_flag" \
        --parallel auto --max-tokens 64 --max-steps 2 --min-thinking-tokens 8 --seed 5 --progress log 2>&1
}
export model gpu_flag
export -f synthesize_auto
phase synthesize-auto "$bench_limit" synthesize_auto || true
# (The EXIT trap writes the summary.)
