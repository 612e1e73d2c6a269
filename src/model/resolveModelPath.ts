import { existsSync, readdirSync, rmdirSync, statSync } from "node:fs";
import path from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { ModelOfflineError } from "../errors/catalogueErrors.js";
import { ModelDownloadError, ModelIsFolderError, ModelNotFoundError } from "../errors/modelErrors.js";
import { ReerError } from "../errors/ReerError.js";
import { SHA256_PATTERN, type CatalogueEntry } from "./catalogue/catalogueSchema.js";
import { createDownloadProgress } from "./catalogue/downloadProgress.js";
import { huggingFaceEndpoint } from "./catalogue/huggingFaceSource.js";
import { looksLikeCatalogueName, ModelCatalogue } from "./catalogue/ModelCatalogue.js";
import { resolveModelsDir } from "./catalogue/modelsDir.js";
import { networkTimeoutMs } from "./catalogue/networkTimeout.js";
import { isOffline } from "./catalogue/offlineMode.js";
import { pullModel } from "./catalogue/pullModel.js";
import { probeUrl } from "./catalogue/sourceProbe.js";
import { stallWatchdog } from "./catalogue/stallWatchdog.js";
import { sha256OfFile } from "./sha256OfFile.js";

export { sha256OfFile };

export type ModelLocation =
    | { kind: "path"; path: string }
    | { kind: "remote"; uri: string }
    | { kind: "catalogue"; entry: CatalogueEntry };

export const DEFAULT_MODEL_ENV = "REER_MODEL";

/**
 * Remote specs are `hf:user/repo/file.gguf` (or `hf:user/repo:quant`) and http(s) URLs; a
 * bare name the catalogue lists (`smollm2-135m-instruct`) is a catalogue model; everything
 * else is a path (`./name` for a file that happens to share a catalogue name).
 */
export function parseModelSpec(spec: string): ModelLocation {
    if (/^hf:/i.test(spec) || /^huggingface:/i.test(spec) || /^https?:\/\//i.test(spec))
        return { kind: "remote", uri: spec };
    if (looksLikeCatalogueName(spec)) {
        const entry = ModelCatalogue.load().find(spec);
        if (entry != null)
            return { kind: "catalogue", entry };
    }
    return { kind: "path", path: path.resolve(spec) };
}

export type ResolveModelOptions = {
    /** The models folder: catalogue models and downloads; defaults to $REER_MODELS_DIR, else ./models. */
    modelsDir?: string;
    /** Expected sha256 of the file; checked after a download and for local files when given. */
    sha256?: string;
    /** Show download progress on stderr (a bar on a terminal, else a line now and then); default true. */
    progress?: boolean;
    /** Never touch the network: a model that is not here already is an error (default: $REER_OFFLINE). */
    offline?: boolean;
    /** Where notes for the user go (default stderr): a catalogue model being pulled, a download starting. */
    say?: (line: string) => void;
    signal?: AbortSignal;
};

/** A usage error for a --model-sha256 that cannot be a sha256, raised before anything is hashed. */
export function checkSha256Format(value: string, flag = "--model-sha256"): void {
    if (!SHA256_PATTERN.test(value))
        throw new ReerError("INVALID_OPTION", `${flag} ${JSON.stringify(value)} is not a sha256.`,
            "A sha256 is 64 hexadecimal digits (0-9, a-f), as `sha256sum <file>` prints it.");
}

/** The .gguf files directly inside `folder`, sorted. */
function ggufFilesIn(folder: string): string[] {
    try {
        return readdirSync(folder).filter((name) => name.toLowerCase().endsWith(".gguf")).sort();
    } catch {
        return [];
    }
}

/**
 * Turns a model spec into a local file path: a path is checked, a catalogue name is
 * looked up in the models folder (verified against the catalogue's sha256, and pulled
 * first when missing unless offline), and a remote spec is downloaded into the models
 * folder when it is not there yet. A missing spec falls back to $REER_MODEL.
 */
export async function resolveModelPath(spec: string | undefined, options: ResolveModelOptions = {}): Promise<string> {
    return (await resolveModel(spec, options)).path;
}

/** A model file found (and fetched) for a spec, with its full sha256 when it was verified: a pin given, or the catalogue's. */
export type ResolvedModel = { path: string; sha256?: string };

/** resolveModelPath, also saying which sha256 the file was verified against, if any. */
export async function resolveModel(spec: string | undefined, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
    if (options.sha256 != null)
        checkSha256Format(options.sha256);
    const resolvedSpec = spec ?? process.env[DEFAULT_MODEL_ENV];
    if (resolvedSpec == null || resolvedSpec === "")
        throw new ReerError("NO_MODEL", "No model given.",
            `Pass --model <path|name|hf:user/repo/file.gguf|url>, or set ${DEFAULT_MODEL_ENV}. See models/README.md for where to get one.`);

    const location = parseModelSpec(resolvedSpec);
    const offline = options.offline ?? isOffline();
    let filePath: string;
    let verifiedAs: string | undefined;
    if (location.kind === "path") {
        if (!existsSync(location.path))
            throw new ModelNotFoundError(location.path, looksLikeCatalogueName(resolvedSpec) ? ModelCatalogue.load().names : []);
        if (statSync(location.path).isDirectory())
            throw new ModelIsFolderError(location.path, ggufFilesIn(location.path));
        filePath = location.path;
    } else if (location.kind === "catalogue") {
        const pulled = await pullModel(location.entry, {
            modelsDir: resolveModelsDir(options.modelsDir),
            offline,
            ...(options.progress == null ? {} : { progress: options.progress }),
            ...(options.say == null ? {} : { say: options.say }),
            ...(options.signal == null ? {} : { signal: options.signal })
        });
        filePath = pulled.file;
        verifiedAs = location.entry.sha256;
    } else {
        filePath = await downloadRemote(location.uri, resolveModelsDir(options.modelsDir), offline, options);
    }

    if (options.sha256 != null && options.sha256.toLowerCase() !== verifiedAs) {
        // A catalogue file was just verified as another hash: no need to read it again to know it differs.
        const actual = verifiedAs ?? await sha256OfFile(filePath);
        if (actual !== options.sha256.toLowerCase())
            throw new ReerError("MODEL_CHECKSUM_MISMATCH", `${filePath} has sha256 ${actual}, expected ${options.sha256}.`,
                "The file is corrupt or a different build; delete it and download it again.");
    }
    const sha256 = options.sha256?.toLowerCase() ?? verifiedAs;
    return { path: filePath, ...(sha256 == null ? {} : { sha256 }) };
}

/**
 * An hf: URI or URL: the copy in the models folder when node-llama-cpp finds one there
 * (no network), else a download, after a probe of the host so an unreachable one fails
 * in milliseconds rather than after the downloader's retries. The downloader's own CLI
 * output goes to stdout, so it stays off; progress is reer's, on stderr.
 */
async function downloadRemote(uri: string, directory: string, offline: boolean, options: ResolveModelOptions): Promise<string> {
    const present = await resolveModelFile(uri, { directory, download: false, cli: false }).catch(() => undefined);
    if (present != null)
        return present;
    if (offline)
        throw new ModelOfflineError(uri, `is not in ${directory}`,
            `Run the command once online (without --offline, REER_OFFLINE unset) to download it into ${directory}, or place the file there yourself.`);
    const say = options.say ?? ((line: string) => process.stderr.write(line + "\n"));
    const timeoutMs = networkTimeoutMs();
    const probe = /^https?:\/\//iu.test(uri) ? uri : huggingFaceEndpoint();
    try {
        await probeUrl(probe, timeoutMs, { anyStatus: true });
    } catch (error) {
        throw new ModelDownloadError(uri, error instanceof Error ? error.message : String(error));
    }
    const createdDir = !existsSync(directory);
    const progress = createDownloadProgress({ enabled: options.progress ?? true });
    say(`downloading ${uri} into ${directory}`);
    const watchdog = stallWatchdog(timeoutMs, options.signal);
    let seen = 0;
    try {
        progress.start(uri.split("/").pop() ?? uri, 0);
        return await resolveModelFile(uri, {
            directory,
            cli: false,
            verify: false,
            signal: watchdog.signal,
            endpoints: { huggingFace: huggingFaceEndpoint() },
            onProgress: ({ totalSize, downloadedSize }) => {
                if (seen === 0 && totalSize > 0)
                    progress.start(uri.split("/").pop() ?? uri, totalSize);
                if (downloadedSize > seen) {
                    progress.add(downloadedSize - seen);
                    seen = downloadedSize;
                    watchdog.alive();
                }
            }
        });
    } catch (error) {
        const detail = watchdog.stalled() ? `the download stalled (no data for ${Math.round(timeoutMs / 1000)} s)` : error instanceof Error ? error.message : String(error);
        throw new ModelDownloadError(uri, detail);
    } finally {
        watchdog.dispose();
        progress.stop();
        // Resolving a model must not leave an empty models folder behind.
        if (createdDir && existsSync(directory) && readdirSync(directory).length === 0)
            rmdirSync(directory);
    }
}
