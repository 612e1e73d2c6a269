#!/usr/bin/env bash
# Checks that reer installs and runs from its npm tarball, as a user would get it:
#   1. `npm pack` (its `prepare` compiles TypeScript into dist/), from a copy of the
#      working tree so the checkout's own dist/ is left alone;
#   2. `npm install <tarball>` into a fresh empty folder, from the npm cache when it can
#      (--prefer-offline). REER_SKIP_NATIVE_BUILD=1 skips reer's ~10 minute native build
#      there, so that install runs on node-llama-cpp's prebuilt binary (stock scoring path);
#   3. `npx reer --help` and `npx reer score` on the tiny stories260K model, checking
#      exit codes and the output.
# REER_SHARED_DIR (default ../shared) holds models/stories260K.gguf. REER_PACK_CHECK_KEEP=1
# keeps the temporary folder.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${REER_SHARED_DIR:-$repo/../shared}"
model="$shared/models/stories260K.gguf"
work="$(mktemp -d "${TMPDIR:-/tmp}/reer-pack-check.XXXXXX")"
started=$SECONDS

cleanup() { if [[ "${REER_PACK_CHECK_KEEP:-}" != "1" ]]; then rm -rf "$work"; else echo "kept $work"; fi; }
trap cleanup EXIT
step() { echo "== [$((SECONDS - started)) s] $*"; }
fail() { echo "pack-check FAILED: $*" >&2; exit 1; }

[[ -f "$model" ]] || fail "$model is missing; set REER_SHARED_DIR to the folder holding models/"

step "copying the working tree"
mkdir -p "$work/tree"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
        [[ -e "$file" ]] && printf '%s\0' "$file"
    done | xargs -0 cp --parents -t "$work/tree")
else
    (cd "$repo" && tar --exclude=./node_modules --exclude=./dist -cf - .) | (cd "$work/tree" && tar -xf -)
fi
# prepare (tsc) runs with the checkout's dev dependencies.
ln -s "$repo/node_modules" "$work/tree/node_modules"

step "npm pack (prepare compiles TypeScript)"
tarball="$(cd "$work/tree" && npm pack --pack-destination "$work" | tail -n 1)"
[[ -f "$work/$tarball" ]] || fail "npm pack did not produce a tarball"
listing="$(tar -tzf "$work/$tarball")"
for needed in package/dist/cli/cli.js package/dist/engine/shippedNativeVersion.js package/scripts/build-native.mjs \
              package/native/nativeFingerprint.mjs package/native/ReerAddon.cpp package/prompts/en/system.txt; do
    grep -qx "$needed" <<<"$listing" || fail "$needed is not in $tarball"
done
if grep -q '^package/src/' <<<"$listing"; then fail "$tarball ships src/"; fi
echo "$tarball: $(wc -l <<<"$listing") files, $(du -h "$work/$tarball" | cut -f1)"

step "npm install $tarball into an empty folder (REER_SKIP_NATIVE_BUILD=1: no native build)"
mkdir -p "$work/app"
# --foreground-scripts shows the install scripts' output, to check that reer's postinstall ran.
(cd "$work/app" && echo '{"name":"reer-pack-check","private":true}' > package.json &&
    REER_SKIP_NATIVE_BUILD=1 npm install --prefer-offline --no-audit --no-fund --foreground-scripts "$work/$tarball" 2>&1) \
    | tee "$work/install.log" || fail "npm install of the tarball failed"
grep -q "REER_SKIP_NATIVE_BUILD=1: skipped" "$work/install.log" || fail "reer's postinstall (the native build script) did not run"

step "npx reer --help"
(cd "$work/app" && npx --no -- reer --help >"$work/help.txt") || fail "reer --help exited non-zero"
grep -q "^  score " "$work/help.txt" || fail "reer --help does not list the score command"

step "npx reer score on stories260K (--gpu off: the prebuilt CPU binary, stock scoring path)"
cat >"$work/pairs.jsonl" <<'JSONL'
{"id":"a","prompt":"Once upon a time","thinking":"A girl and her dog.","response":"there was a little girl named Lily. She had a dog."}
{"id":"b","prompt":"Tom went to the park.","response":"He played with a red ball and was very happy."}
JSONL
(cd "$work/app" && npx --no -- reer score "$work/pairs.jsonl" --model "$model" --template none --threads 1 --gpu off \
    -o "$work/scores.jsonl") || fail "reer score exited non-zero"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((line) => JSON.parse(line));
if (lines.length !== 2) throw new Error(`expected 2 results, got ${lines.length}`);
for (const r of lines) {
    if (!(r.tokenCount > 0) || !Number.isFinite(r.meanNll)) throw new Error(`bad result ${JSON.stringify(r)}`);
    console.log(`${r.id}: ${r.tokenCount} tokens, meanNll ${r.meanNll.toFixed(4)}`);
}' "$work/scores.jsonl" || fail "reer score wrote unexpected results"

step "pack-check passed in $((SECONDS - started)) s"
