// Locates the third-party test assets (tiny GGUF models, sample pairs). They are read
// in place, never copied into the repository. REER_SHARED_DIR overrides the location.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const sharedDir = path.resolve(process.env.REER_SHARED_DIR ?? path.join(repoRoot, "..", "shared"));

export const stories260kPath = path.join(sharedDir, "models", "stories260K.gguf");
export const tinyStories656kPath = path.join(sharedDir, "models", "TinyStories-656K-Q8_0.gguf");
export const samplePairsPath = path.join(sharedDir, "data", "reer-pairs.jsonl");

/** Fails loudly with a pointer to the override, so a missing asset never looks like a pass. */
export function requireAsset(file: string): string {
    if (!existsSync(file))
        throw new Error(`Test asset ${file} is missing. Set REER_SHARED_DIR to the folder holding models/ and data/.`);
    return file;
}
