import path from "node:path";
import { Command } from "commander";
import type { CatalogueEntry } from "../../model/catalogue/catalogueSchema.js";
import { DEFAULT_MODEL_NAME, ModelCatalogue } from "../../model/catalogue/ModelCatalogue.js";
import { resolveModelsDir } from "../../model/catalogue/modelsDir.js";
import { checkModelFile, type FileCheck } from "../../model/catalogue/verifiedSha256.js";
import { formatTable } from "../../stats/textTable.js";
import { ExitCode } from "../exitCodes.js";
import { addModelsDirOption } from "../modelOptions.js";

const statusText: Record<FileCheck["state"], string> = {
    missing: "missing",
    verified: "present, sha256 verified",
    mismatch: "present, sha256 mismatch"
};

export function modelsCommand(): Command {
    const command = new Command("models")
        .description("List the model catalogue: what each model is, and whether its file is in the models folder with the right sha256.")
        .option("--json", "print JSON instead of a table", false);
    addModelsDirOption(command)
        .addHelpText("after", `
Every file present is hashed in full (about 0.5 s per 100 MB), so a damaged copy shows as
"present, sha256 mismatch"; \`reer pull <name>\` replaces it. A catalogue name works wherever
a model is asked for (--model, --generator, --scorer); with no model given, commands use
${DEFAULT_MODEL_NAME}. Exit status 1 when a file present fails its sha256 check (a missing
file is not an error).

Examples:
  reer models
  reer models --json --models-dir ~/models`);
    return command.action(async (flags: { json: boolean; modelsDir: string }) => {
        const catalogue = ModelCatalogue.load();
        const modelsDir = resolveModelsDir(flags.modelsDir);
        const rows: ModelRow[] = [];
        for (const entry of catalogue.entries) {
            const file = path.join(modelsDir, entry.file);
            // Always the whole file: this is the command that answers "is my copy intact?".
            const check = await checkModelFile(file, entry.sha256, { useCache: false });
            rows.push({ entry, file, check });
        }
        if (flags.json) {
            process.stdout.write(JSON.stringify(rows.map(({ entry, file, check }) => ({
                ...entry,
                default: entry.name === DEFAULT_MODEL_NAME,
                path: file,
                status: check.state,
                ...(check.state === "mismatch" ? { actualSha256: check.actualSha256, actualBytes: check.bytes } : {})
            })), null, 2) + "\n");
        } else {
            printTable(rows, modelsDir);
        }
        // A damaged copy is an error a script should see; a missing one is only not pulled yet.
        if (rows.some(({ check }) => check.state === "mismatch"))
            process.exitCode = ExitCode.failure;
    });
}

type ModelRow = { entry: CatalogueEntry; file: string; check: FileCheck };

function printTable(rows: readonly ModelRow[], modelsDir: string): void {
    process.stdout.write(formatTable(["name", "MB", "status", "licence", "context", "description"],
        rows.map(({ entry, check }) => [
            entry.name + (entry.name === DEFAULT_MODEL_NAME ? " (default)" : ""),
            (entry.bytes / 1e6).toFixed(1),
            statusText[check.state],
            entry.licence,
            String(entry.contextLength),
            entry.description
        ]), ["left", "right", "left", "left", "right", "left"]));
    process.stdout.write(`\nmodels folder: ${modelsDir}\n`);
    for (const { entry, file, check } of rows)
        if (check.state === "mismatch")
            process.stdout.write(`${entry.name}: ${file} has sha256 ${check.actualSha256} (${check.bytes} bytes), expected ${entry.sha256} (${entry.bytes} bytes); \`reer pull ${entry.name}\` replaces it\n`);
    const missing = rows.filter(({ check }) => check.state === "missing").map(({ entry }) => entry.name);
    if (missing.length > 0)
        process.stdout.write(`missing: \`reer pull ${missing.join(" ")}\` downloads ${missing.length === 1 ? "it" : "them"}\n`);
}
