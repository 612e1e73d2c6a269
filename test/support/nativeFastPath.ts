// Whether this install's llama.cpp binary carries reer's native fast path (native/: exact
// fast scoring, sequence copies, the sampler patch). An install made with
// REER_SKIP_NATIVE_BUILD=1 (or a build that no longer matches native/) runs on the stock
// path: the tests of the fast path itself then skip, with the reason in their name, and
// every stock-path test still runs. REER_TEST_REQUIRE_FAST_PATH=1 turns those skips back
// into runs, so a machine that is meant to have the build fails loudly without it.
import { LlamaRuntime } from "../../src/runtime/LlamaRuntime.js";
import { readNativeBinaryFacts } from "../../src/runtime/nodeLlamaInternals.js";

export type NativeFastPath = {
    /** reerTokenLogprobs is in use (LlamaRuntime.hasFastScoring). */
    scoring: boolean;
    /** reerCopySequence is in use (LlamaRuntime.nativeSequenceCopy). */
    sequenceCopy: boolean;
    /** The binary was built with native/sampler-top-k.patch. */
    samplerPatch: boolean;
};

/** The fast path of the CPU backend, the one the tests load models on. */
export async function nativeFastPath(): Promise<NativeFastPath> {
    const runtime = await LlamaRuntime.get({ gpu: "off" });
    return {
        scoring: runtime.hasFastScoring,
        sequenceCopy: runtime.nativeSequenceCopy != null,
        samplerPatch: readNativeBinaryFacts(runtime.llama).samplerPatch
    };
}

const required = process.env.REER_TEST_REQUIRE_FAST_PATH === "1";

/**
 * For `it.skipIf(skipWithout(available))(needsFastPath(name, available), ...)`: the test
 * runs when the part of the fast path it needs is there (or is required), and skips otherwise.
 */
export function skipWithout(available: boolean): boolean {
    return !available && !required;
}

/** The test's name, with the reason it skips appended when it does. */
export function needsFastPath(name: string, available: boolean): string {
    return skipWithout(available) ? `${name} [skipped: no native fast path in this install (REER_SKIP_NATIVE_BUILD=1 or a stale build)]` : name;
}
