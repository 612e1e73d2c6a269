// Loads node-llama-cpp's local build for one backend and reports what reer needs to know
// about it. Runs in a child process: one process cannot load two addon builds.
// Usage: node inspectAddon.mjs <node-llama-cpp package dir> <false|cuda|vulkan|metal>
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [packageDir, backendArg] = process.argv.slice(2);
const backend = backendArg === "false" ? false : backendArg;
const report = (value) => process.stdout.write(`REER_INSPECT ${JSON.stringify(value)}\n`);

/** The addon binary this process mapped (Linux), so its build folder can be read; else null. */
function loadedBinaryPath() {
    try {
        const line = readFileSync("/proc/self/maps", "utf8").split("\n").find((text) => text.endsWith("/llama-addon.node"));
        return line == null ? null : line.slice(line.indexOf("/"));
    } catch {
        return null;
    }
}

try {
    const { getLlama } = await import(pathToFileURL(path.join(packageDir, "dist", "index.js")).href);
    const llama = await getLlama({
        gpu: backend,
        build: "never",
        usePrebuiltBinaries: false,
        progressLogs: false,
        logLevel: "error",
        logger: () => {}
    });
    const bindings = llama._bindings ?? {};
    report({
        loaded: true,
        buildType: llama.buildType,
        gpu: llama.gpu,
        version: typeof bindings.reerNativeVersion === "function" ? bindings.reerNativeVersion() : null,
        samplerTopK: bindings.reerSamplerTopK === true,
        functions: ["reerTokenLogprobs", "reerCopySequence", "reerNativeVersion"].filter((name) => typeof bindings[name] === "function"),
        binaryPath: loadedBinaryPath()
    });
    await llama.dispose();
} catch (error) {
    report({ loaded: false, error: error instanceof Error ? error.message : String(error) });
}
