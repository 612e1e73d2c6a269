// The real models of the catalogue, for the real-model test tier. They are pulled into the
// models folder (`reer pull`, `npm run models`; REER_MODELS_DIR overrides the folder). A
// missing model skips the tier with one line outside CI and fails it under CI=true, so CI
// can never pass without having run it.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const modelsDir = path.resolve(process.env.REER_MODELS_DIR ?? path.join(repoRoot, "models"));

export const realModels = {
    smollm2: path.join(modelsDir, "SmolLM2-135M-Instruct.Q4_1.gguf"),
    gemma: path.join(modelsDir, "gemma-3-270m-q4_k_m.gguf")
} as const;

const missing = Object.values(realModels).filter((file) => !existsSync(file));

if (missing.length > 0) {
    const line = `real-model tier: ${missing.join(", ")} missing; run \`npx reer pull\` (or \`npm run models\`) to fetch them`;
    if (process.env.CI === "true")
        throw new Error(`${line}. Under CI the tier must run.`);
    process.stderr.write(`skipped ${line}\n`);
}

/** True when the tier cannot run here (outside CI only: under CI a missing model throws above). */
export const realModelsMissing = missing.length > 0;
