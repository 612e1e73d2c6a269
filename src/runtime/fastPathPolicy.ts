import { describeNativeBuildState, type NativeBuildState } from "./nativeBuildState.js";

export type Backend = "cpu" | "cuda" | "vulkan" | "metal";

export type FastPathInput = {
    backend: Backend;
    buildType: "localBuild" | "prebuilt";
    state: NativeBuildState;
    /** REER_ALLOW_STOCK=1 or the runtime option allowStockPath. */
    allowStock: boolean;
};

export type FastPathDecision =
    | { path: "fast" }
    | { path: "stock"; warning: string | undefined }
    | { path: "refuse"; message: string; hint: string };

const stockCost = "the stock path, which builds a full probability map per scored token (about 90 ms at a 150k vocabulary)";

/**
 * Whether reer may run, and on which scoring path. Only a current build is trusted. On a
 * GPU the missing fast path is refused unless allowed: there it usually means
 * node-llama-cpp picked its prebuilt GPU binary, and a silent 10x slowdown on the
 * hardware bought for speed is worse than one clear error. On the CPU reer falls back
 * to the stock path (exact, slower); a stale or incomplete build is named so the user
 * knows why, a missing one was already reported by the install.
 */
export function decideFastPath(input: FastPathInput): FastPathDecision {
    const { backend, buildType, state, allowStock } = input;
    if (state.kind === "current")
        return { path: "fast" };
    const binary = `${buildType === "prebuilt" ? "node-llama-cpp's prebuilt" : "a local"} ${backend} binary (${describeNativeBuildState(state)})`;
    if (backend !== "cpu") {
        if (allowStock)
            return { path: "stock", warning: `reer: stock path allowed: running on ${binary}; exact scoring takes ${stockCost}.` };
        return {
            path: "refuse",
            message: `reer's fast exact scoring is not in ${binary}; refusing ${stockCost} on a GPU.`,
            hint: `Build it: REER_NATIVE_GPU=${backend} npm run build:native. ` +
                "Or use the CPU build with --gpu off, or accept the stock path with REER_ALLOW_STOCK=1."
        };
    }
    if (state.kind === "absent")
        return { path: "stock", warning: undefined };
    return {
        path: "stock",
        warning: `reer: not trusting ${binary}, so exact scoring takes ${stockCost}. Rebuild with \`npm run build:native\`.`
    };
}
