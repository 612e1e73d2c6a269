/**
 * What the loaded llama.cpp binary holds of reer's native additions (native/), judged
 * against the native/ folder this copy of reer ships. Only a "current" binary is trusted:
 * the additions compute scores, so a binary built from other sources could score wrongly.
 */

/** The facts read off a loaded binary's exports. */
export type NativeBinaryFacts = {
    /** reerTokenLogprobs and reerCopySequence are exported. */
    hasFunctions: boolean;
    /** reerNativeVersion(), the fingerprint of native/ compiled in; undefined before versions existed. */
    version: string | undefined;
    /** The reerSamplerTopK flag that sampler-top-k.patch adds. */
    samplerPatch: boolean;
};

export type NativeBuildState =
    | { kind: "current"; version: string }
    | { kind: "stale"; binaryVersion: string | undefined; shippedVersion: string }
    | { kind: "incomplete"; version: string; missing: string[] }
    | { kind: "absent" };

export function nativeBuildState(facts: NativeBinaryFacts, shippedVersion: string): NativeBuildState {
    if (!facts.hasFunctions && facts.version == null && !facts.samplerPatch)
        return { kind: "absent" };
    if (facts.version !== shippedVersion)
        return { kind: "stale", binaryVersion: facts.version, shippedVersion };
    const missing = [...(facts.hasFunctions ? [] : ["reerTokenLogprobs/reerCopySequence"]), ...(facts.samplerPatch ? [] : ["the sampler patch"])];
    return missing.length === 0 ? { kind: "current", version: facts.version } : { kind: "incomplete", version: facts.version, missing };
}

/** A few words for describe() and warnings. */
export function describeNativeBuildState(state: NativeBuildState): string {
    switch (state.kind) {
        case "current":
            return `reer native ${state.version}`;
        case "stale":
            return `stale reer native ${state.binaryVersion ?? "(unversioned)"}, native/ is ${state.shippedVersion}`;
        case "incomplete":
            return `incomplete reer native ${state.version}: lacks ${state.missing.join(" and ")}`;
        case "absent":
            return "no reer native additions";
    }
}
