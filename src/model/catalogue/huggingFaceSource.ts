import path from "node:path";
import { createModelDownloader, type ModelDownloader } from "node-llama-cpp";
import type { SourceContext } from "./SourceContext.js";
import { reasonOf, SourceFailure } from "./sourceFailure.js";
import { probeUrl } from "./sourceProbe.js";
import { stallWatchdog } from "./stallWatchdog.js";
import { removeTempFiles, trackTempFiles } from "./tempFiles.js";

/**
 * The Hugging Face endpoint, read as node-llama-cpp reads it ($MODEL_ENDPOINT, then
 * $HF_ENDPOINT, then huggingface.co), and passed to its downloader explicitly so the probe
 * and the download always ask the same host.
 */
export function huggingFaceEndpoint(): string {
    for (const name of ["MODEL_ENDPOINT", "HF_ENDPOINT"]) {
        const value = process.env[name];
        if (value != null && /^https?:\/\//iu.test(value))
            return value.endsWith("/") ? value : `${value}/`;
    }
    return "https://huggingface.co/";
}

/** `hf:<user>/<repo>/<path>` as the URL its file is served from (main branch). */
export function huggingFaceFileUrl(uri: string): string {
    const [user, repo, ...file] = uri.replace(/^hf:/iu, "").split("/");
    return new URL(`${user}/${repo}/resolve/main/${file.join("/")}`, huggingFaceEndpoint()).toString();
}

/**
 * Downloads `uri` (hf:<user>/<repo>/<file>.gguf) into `temp` with node-llama-cpp's
 * downloader, after a probe so that an unreachable host fails at once. The downloader's
 * own CLI output (which goes to stdout) stays off; progress goes to ctx.progress, and a
 * download that stalls for ctx.timeoutMs is cancelled.
 */
export async function fetchFromHuggingFace(uri: string, temp: string, ctx: SourceContext): Promise<void> {
    const url = huggingFaceFileUrl(uri);
    await probeUrl(url, ctx.timeoutMs);
    // ipull writes `<temp>.ipull` while it works when it resumes; either name may be left.
    trackTempFiles(temp, `${temp}.ipull`);
    const watchdog = stallWatchdog(ctx.timeoutMs, ctx.signal);
    let downloader: ModelDownloader | undefined;
    let seen = 0;
    try {
        downloader = await Promise.race([
            createModelDownloader({
                modelUri: uri,
                dirPath: path.dirname(temp),
                fileName: path.basename(temp),
                showCliProgress: false,
                skipExisting: true,
                deleteTempFileOnCancel: true,
                parallelDownloads: 1,
                endpoints: { huggingFace: huggingFaceEndpoint() },
                onProgress: ({ downloadedSize }) => {
                    if (downloadedSize > seen) {
                        ctx.progress.add(downloadedSize - seen);
                        seen = downloadedSize;
                        watchdog.alive();
                    }
                }
            }),
            new Promise<never>((_, reject) => watchdog.signal.addEventListener("abort", () => reject(watchdog.signal.reason), { once: true }))
        ]);
        ctx.progress.start(`${ctx.name} (huggingface)`, downloader.totalSize);
        await downloader.download({ signal: watchdog.signal });
    } catch (error) {
        await downloader?.cancel({ deleteTempFile: true }).catch(() => undefined);
        removeTempFiles(`${temp}.ipull`);
        if (ctx.signal?.aborted === true)
            throw error;
        if (watchdog.stalled())
            throw new SourceFailure(`${url}: the download stalled (no data for ${Math.round(ctx.timeoutMs / 1000)} s after ${seen} bytes)`);
        throw error instanceof SourceFailure ? error : new SourceFailure(`${url}: ${reasonOf(error)}`);
    } finally {
        watchdog.dispose();
        ctx.progress.stop();
    }
    removeTempFiles(`${temp}.ipull`);
}
