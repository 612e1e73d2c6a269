// The text a failed native build leaves in the install log: what failed, what it costs,
// how to retry.

const rule = "-".repeat(72);

export function failureWarning(result, { strict }) {
    const lines = [
        rule,
        `WARNING: reer's native build failed at the ${result.stage} step.`,
        ...result.detail.split("\n").map((line) => `  ${line}`),
        result.restored
            ? "node-llama-cpp's addon sources were restored to pristine" +
              (result.removedBuilds?.length > 0 ? ` and this run's builds removed (${result.removedBuilds.join(", ")})` : "") +
              "; reer uses node-llama-cpp's stock binary."
            : "Nothing was changed. reer uses the stock scoring path unless a build already present was built from this native/.",
        "Cost: without reer's fast path, exact scoring builds a full probability map for every scored",
        "token: about 90 ms per scored token at a 150k vocabulary, roughly 9x slower. Runs on a GPU",
        "backend refuse to start on the stock path unless REER_ALLOW_STOCK=1 is set.",
        ...(result.stage === "sources"
            ? ["Fix: reinstall node-llama-cpp with pristine sources (`npm ci`), which also rebuilds."]
            : []),
        "Retry: npm run build:native   (REER_NATIVE_GPU=false|cuda|vulkan|metal picks the GPU build)",
        strict
            ? "REER_NATIVE_STRICT=1: failing the install."
            : "The install continues; set REER_NATIVE_STRICT=1 to make this failure fail it.",
        rule
    ];
    return lines.join("\n");
}
