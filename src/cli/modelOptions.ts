import { InvalidArgumentError, Option, type Command } from "commander";
import type { GpuChoice } from "../runtime/LlamaRuntime.js";
import path from "node:path";
import { SHA256_PATTERN, type CatalogueEntry } from "../model/catalogue/catalogueSchema.js";
import { DEFAULT_MODEL_NAME, ModelCatalogue } from "../model/catalogue/ModelCatalogue.js";
import { defaultModelsDir, MODELS_DIR_ENV, resolveModelsDir } from "../model/catalogue/modelsDir.js";
import { isOffline, OFFLINE_ENV } from "../model/catalogue/offlineMode.js";
import { LoadedModel, type ModelLoadOptions } from "../model/LoadedModel.js";
import { DEFAULT_MODEL_ENV, resolveModel, type ResolvedModel } from "../model/resolveModelPath.js";
import { defaultThreadChoice, type ThreadChoice } from "../runtime/threadChoice.js";
import type { KvCacheType } from "../scoring/ScoringContext.js";
import { gpuChoice, gpuLayers, kvCacheType, positiveInteger } from "./parseOptions.js";

/** The model and llama.cpp flags shared by every command that loads a model. */
export type ModelFlags = {
    model?: string;
    modelSha256?: string;
    modelsDir: string;
    offline: boolean;
    threads?: number;
    gpu: GpuChoice;
    gpuLayers?: "auto" | "max" | number;
    contextSize?: number;
    batchSize?: number;
    flashAttention: boolean;
    kvCacheType: KvCacheType;
};

/**
 * Adds the model flags; `contexts: false` leaves out the flags that only matter to a
 * command that evaluates text (inspect only reads the model).
 */
export function addModelOptions(command: Command, options: { contexts?: boolean } = {}): Command {
    command
        .addOption(new Option("-m, --model <model>",
            "GGUF model: a catalogue name (`reer models` lists them; pulled into --models-dir when missing), a file path, hf:<user>/<repo>/<file>.gguf, or an https:// URL (downloaded into --models-dir)")
            .default(undefined, `$${DEFAULT_MODEL_ENV}, else ${DEFAULT_MODEL_NAME}`))
        .option("--model-sha256 <hex>", "expected sha256 of the --model file (64 hex digits), checked before use; recorded in the trace (a catalogue model is always checked against the catalogue's)", sha256Hex);
    addModelsDirOption(command)
        .option("--offline", `never use the network: a model not already in --models-dir is an error (also ${OFFLINE_ENV}=1)`, false)
        .option("--gpu <backend>", "auto | off | cuda | vulkan | metal", gpuChoice, "auto")
        .addOption(new Option("--gpu-layers <n>", "layers to offload: auto, max or a count").argParser(gpuLayers).default(undefined, "auto"));
    if (options.contexts === false)
        return command;
    return command
        .addOption(new Option("-t, --threads <n>", "CPU threads").argParser(positiveInteger)
            .default(undefined, "the physical cores, fewer when other processes keep CPUs busy at the start"))
        .addOption(new Option("--context-size <n>", "cap on the context size; the context is sized to the longest input")
            .argParser(positiveInteger).default(undefined, "the model's training context"))
        .addOption(new Option("--batch-size <n>", "tokens per decode batch").argParser(positiveInteger).default(undefined, "min(512, context size)"))
        .option("--flash-attention", "enable flash attention (faster on some GPUs; CPU scores then depend on batch splits)", false)
        .option("--kv-cache-type <type>", "KV cache precision: F32 (exact), F16 or Q8_0", kvCacheType, "F32");
}

/** Commander parser for --model-sha256: a malformed hash is a usage error before anything is read or hashed. */
export function sha256Hex(value: string): string {
    if (!SHA256_PATTERN.test(value))
        throw new InvalidArgumentError("expected a sha256: 64 hexadecimal digits (0-9, a-f), as `sha256sum <file>` prints it.");
    return value.toLowerCase();
}

/**
 * --models-dir, shared by every command that reads the models folder. Its default is
 * $REER_MODELS_DIR when set (read when the command line is built, so --help shows it).
 */
export function addModelsDirOption(command: Command): Command {
    const fromEnv = process.env[MODELS_DIR_ENV] != null && process.env[MODELS_DIR_ENV] !== "";
    return command.addOption(new Option("--models-dir <dir>", `folder of catalogue models and downloads; $${MODELS_DIR_ENV} sets the default`)
        .default(defaultModelsDir(), fromEnv ? `${defaultModelsDir()} (from $${MODELS_DIR_ENV})` : "models"));
}

/** Whether no flag and no $REER_MODEL names a model, so the default catalogue model is used. */
export function usedDefaultModel(flags: { model?: string; generator?: string; scorer?: string }): boolean {
    const fromEnv = process.env[DEFAULT_MODEL_ENV];
    return flags.model == null && flags.generator == null && flags.scorer == null && (fromEnv == null || fromEnv === "");
}

/** Says on stderr that the default model stands in for a missing --model, and returns its catalogue entry. */
function announceDefaultModel(flags: ModelFlags): CatalogueEntry {
    const entry = ModelCatalogue.load().get(DEFAULT_MODEL_NAME);
    process.stderr.write(`no model given: using the default ${entry.name} (${path.join(flags.modelsDir, entry.file)}); ` +
        `pass --model (or set $${DEFAULT_MODEL_ENV}) to choose another\n`);
    return entry;
}

/** The model file `spec` names, pulled, downloaded and checked against `pin` (a full sha256) as the flags say. */
async function modelFromFlags(flags: ModelFlags, spec: string | undefined, pin: string | undefined): Promise<ResolvedModel> {
    const resolved = await resolveModel(spec, {
        modelsDir: resolveModelsDir(flags.modelsDir),
        offline: isOffline(flags.offline),
        ...(pin == null ? {} : { sha256: pin })
    });
    return { ...resolved, path: path.resolve(resolved.path) };
}

/** --model-sha256 belongs to --model: a --generator or --scorer naming another file is held to its own pin only. */
function pinOf(flags: ModelFlags, spec: string | undefined, rolePin: string | undefined): string | undefined {
    return rolePin ?? (flags.modelSha256 != null && spec === flags.model ? flags.modelSha256 : undefined);
}

function loadOptions(flags: ModelFlags, vocabOnly: boolean | undefined, resolved?: ResolvedModel): ModelLoadOptions {
    return {
        gpu: flags.gpu,
        ...(flags.gpuLayers == null ? {} : { gpuLayers: flags.gpuLayers }),
        ...(vocabOnly === true ? { vocabOnly: true } : {}),
        ...(resolved?.sha256 == null ? {} : { verifiedSha256: resolved.sha256 })
    };
}

/**
 * Loads `spec` (default --model, else $REER_MODEL, else the default catalogue model,
 * pulled when missing) with the flags' backend settings.
 */
export async function loadModelFromFlags(flags: ModelFlags, spec: string | undefined = flags.model, options: { vocabOnly?: boolean } = {}): Promise<LoadedModel> {
    const resolvedSpec = spec ?? (usedDefaultModel(flags) ? announceDefaultModel(flags).name : undefined);
    const resolved = await modelFromFlags(flags, resolvedSpec, pinOf(flags, resolvedSpec, undefined));
    return await LoadedModel.load(resolved.path, loadOptions(flags, options.vocabOnly, resolved));
}

/** The role flags of a command with a generator and a scorer (synthesize): each model and its pin. */
export type RoleFlags = { generator?: string; scorer?: string; generatorSha256?: string; scorerSha256?: string };

/**
 * Adds --generator and --scorer with their pins; each defaults to --model (and to
 * --model-sha256 when it names the same file).
 */
export function addRoleOptions(command: Command): Command {
    return command
        .addOption(new Option("--generator <model>", "model that writes and rewrites trajectories").default(undefined, "--model"))
        .addOption(new Option("--scorer <model>", "model that scores PPL(y | x, z)").default(undefined, "--model"))
        .option("--generator-sha256 <hex>", "expected sha256 of the --generator file, checked before use", sha256Hex)
        .option("--scorer-sha256 <hex>", "expected sha256 of the --scorer file, checked before use", sha256Hex);
}

/** The generator and the scorer of a run: one model loaded once when both roles name the same file. */
export type ModelPair = {
    generator: LoadedModel;
    scorer: LoadedModel;
    /** The catalogue entry used for both roles because no model was given; undefined when one was. */
    defaultModel?: CatalogueEntry;
    dispose(): Promise<void>;
};

/**
 * Loads --generator and --scorer (each defaulting to --model, then $REER_MODEL). With none
 * of them, the default catalogue model (smollm2-135m-instruct) plays both roles, pulled
 * first when it is not in the models folder; stderr says so.
 */
export async function loadModelPair(flags: ModelFlags & RoleFlags, options: { vocabOnly?: boolean } = {}): Promise<ModelPair> {
    const defaultModel = usedDefaultModel(flags) ? announceDefaultModel(flags) : undefined;
    const generatorSpec = flags.generator ?? flags.model ?? defaultModel?.name;
    const scorerSpec = flags.scorer ?? flags.model ?? defaultModel?.name;
    const generatorPin = pinOf(flags, generatorSpec, flags.generatorSha256);
    const scorerPin = pinOf(flags, scorerSpec, flags.scorerSha256);
    const generatorFile = await modelFromFlags(flags, generatorSpec, generatorPin);
    // One file for both roles is resolved once, unless the scorer is held to a pin of its own.
    const scorerFile = scorerSpec === generatorSpec && (scorerPin == null || scorerPin === generatorPin) ? generatorFile : await modelFromFlags(flags, scorerSpec, scorerPin);
    const generatorPath = generatorFile.path;
    const scorerPath = scorerFile.path;
    const generator = await LoadedModel.load(generatorPath, loadOptions(flags, options.vocabOnly, generatorFile));
    let scorer = generator;
    try {
        if (scorerPath !== generatorPath)
            scorer = await LoadedModel.load(scorerPath, loadOptions(flags, options.vocabOnly, scorerFile));
    } catch (error) {
        await generator.dispose();
        throw error;
    }
    return {
        generator,
        scorer,
        ...(defaultModel == null ? {} : { defaultModel }),
        dispose: async () => {
            if (scorer !== generator)
                await scorer.dispose();
            await generator.dispose();
        }
    };
}

/**
 * --threads, else the cores llama.cpp finds useful for maths, as far as other processes
 * leave CPUs free (see threadChoice.ts), with why.
 */
export function threadChoiceOf(flags: ModelFlags, model: LoadedModel): ThreadChoice {
    return flags.threads != null ? { threads: flags.threads, reason: "--threads" } : defaultThreadChoice(model.defaultThreads);
}

export function resolveThreads(flags: ModelFlags, model: LoadedModel): number {
    return threadChoiceOf(flags, model).threads;
}

/** Printed when the loaded binary lacks reer's native scoring: what it costs and how to fix it. */
export const stockPathWarning =
    "note: this llama.cpp binary lacks reer's native scoring addition, so scores come from the exact stock path, " +
    "which builds a full probability map per scored token (~90 ms at a 150k vocabulary; `npm run bench:score` measured the fast path " +
    "about 9x faster on a 0.5B model). Run `npm run build:native` to build it.\n";
