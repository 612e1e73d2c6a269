import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * What a test file imports when it needs a model: a GGUF file or the sample data from
 * ../shared (REER_SHARED_DIR), a model it writes itself, or llama.cpp loaded in the
 * process. Such files form the "model" project; every other test file is "unit", which
 * runs in seconds on a checkout without ../shared: `npx vitest run --project unit`.
 */
const NEEDS_MODEL = [
    /["'][./]*support\/(?:sharedAssets|pairs|scriptedModel|nativeFastPath)\.js["']/u,
    /["'][./]*src\/engine\/LlamaRuntime\.js["']/u,
    /["'][./]*src\/model\/(?:LoadedModel|loadTokenCounter)\.js["']/u
];

/** Needs a model without importing one of the above: pack-check.sh scores with ../shared's stories260K. */
const ALSO_MODEL = ["test/packaging/packCheck.test.ts"];

function testFiles(dir: string): string[] {
    return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
        const file = `${dir}/${entry.name}`;
        return entry.isDirectory() ? testFiles(file) : entry.name.endsWith(".test.ts") ? [file] : [];
    });
}

/** The real-model tier: tests that load the catalogue's real models (pulled into models/). */
const realModelTests = testFiles("test/real");
/** The SLURM tier: job arrays on a one-node cluster that the tests start (scripts/slurm-local/). */
const slurmTests = testFiles("test/slurm");

const modelTests = testFiles("test").filter((file) => !realModelTests.includes(file) && !slurmTests.includes(file)).filter((file) => {
    const text = readFileSync(path.join(root, file), "utf8");
    return ALSO_MODEL.includes(file) || NEEDS_MODEL.some((pattern) => pattern.test(text));
});

export default defineConfig({
    test: {
        // Native model contexts spin worker threads; running files one at a time keeps
        // two cores from being oversubscribed.
        fileParallelism: false,
        testTimeout: 120_000,
        hookTimeout: 120_000,
        // `npm test` runs all four, every file once; `--project unit`, `--project model`, `--project real` or `--project slurm` runs one.
        projects: [
            { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...modelTests, ...realModelTests, ...slurmTests] } },
            { extends: true, test: { name: "model", include: modelTests } },
            { extends: true, test: { name: "real", include: realModelTests } },
            { extends: true, test: { name: "slurm", include: slurmTests } }
        ]
    }
});
