// The local CPU build must run quantized models. A build whose CPU kernels use instructions
// the machine cannot execute (ggml's AMX kernels as GCC 12 compiles them, see
// scripts/native/cpuBuildOptions.mjs) dies with SIGILL on the first matrix multiplication
// of a Q8_0/Q4_0/Q4_K... model, so the model runs in a child process: a crash fails this
// test instead of killing the test runner.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { requireAsset, tinyStories656kPath } from "../support/sharedAssets.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// Loads the backend the way reer does, evaluates a prompt of a few dozen tokens in one batch
// (the multi-row matrix kernels) and then decodes greedily token by token (the one-row kernels).
const child = `
const { LlamaRuntime } = await import("./src/runtime/LlamaRuntime");
const runtime = await LlamaRuntime.get({ gpu: "off" });
const model = await runtime.llama.loadModel({ modelPath: process.env.REER_TEST_MODEL });
const context = await model.createContext({ contextSize: 256, threads: 2 });
const sequence = context.getSequence();
const prompt = model.tokenize("Once upon a time, there was a little girl named Lily. She loved to play outside in the sunshine with her dog and her red ball.");
const generated = [];
for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
    generated.push(token);
    if (generated.length >= 8) break;
}
process.stdout.write(JSON.stringify({ buildType: runtime.llama.buildType, promptTokens: prompt.length, generated: generated.length }) + "\\n");
await context.dispose();
await model.dispose();
`;

describe("a Q8_0 model on the local CPU build", () => {
    it("evaluates a prompt and decodes without crashing the process", () => {
        const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], {
            cwd: repoRoot,
            encoding: "utf8",
            env: { ...process.env, REER_TEST_MODEL: requireAsset(tinyStories656kPath) },
            timeout: 110_000
        });
        const exit = { status: result.status, signal: result.signal };
        expect(exit, `child ended with ${JSON.stringify(exit)}; stderr:\n${result.stderr.slice(-2000)}`).toEqual({ status: 0, signal: null });
        const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
        expect(report.buildType).toBe("localBuild");
        expect(report.promptTokens).toBeGreaterThan(20);
        // The tiny model may end its story early; two tokens already mean one-row decodes ran.
        expect(report.generated).toBeGreaterThanOrEqual(2);
    });
});
