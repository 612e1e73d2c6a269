import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { reasonOf, SourceFailure } from "./sourceFailure.js";
import { stallWatchdog } from "./stallWatchdog.js";

export type DownloadOptions = {
    /** Longest silence allowed: before the response, and between two chunks. */
    timeoutMs: number;
    signal?: AbortSignal;
    headers?: Record<string, string>;
    /** Called with each chunk as it is written (to count it, or hash it on the way). */
    onChunk?: (chunk: Buffer) => void;
};

/** GET `url` and return the response once its headers arrive (within the timeout); a status of 400 or more is a SourceFailure. */
async function get(url: string, options: DownloadOptions, signal: AbortSignal): Promise<Response> {
    let response: Response;
    try {
        response = await fetch(url, { headers: options.headers ?? {}, signal });
    } catch (error) {
        throw signal.reason instanceof SourceFailure ? new SourceFailure(`${new URL(url).host} did not answer: ${signal.reason.message}`)
            : options.signal?.aborted === true ? error : new SourceFailure(`${new URL(url).host} did not answer: ${reasonOf(error)}`);
    }
    if (!response.ok || response.body == null) {
        await response.body?.cancel();
        throw new SourceFailure(`HTTP ${response.status} for ${url}`, response.status);
    }
    return response;
}

/** Fetches a small JSON document (an index page). */
export async function fetchJson(url: string, options: DownloadOptions): Promise<unknown> {
    const watchdog = stallWatchdog(options.timeoutMs, options.signal);
    try {
        const response = await get(url, options, watchdog.signal);
        const text = await response.text();
        try {
            return JSON.parse(text);
        } catch {
            throw new SourceFailure(`${url} did not return JSON`);
        }
    } catch (error) {
        if (watchdog.stalled() && !(error instanceof SourceFailure))
            throw new SourceFailure(`${url}: no answer within ${Math.round(options.timeoutMs / 1000)} s`);
        throw error;
    } finally {
        watchdog.dispose();
    }
}

/** Streams `url` into `file` (created or truncated); returns the bytes written. */
export async function downloadToFile(url: string, file: string, options: DownloadOptions): Promise<number> {
    const watchdog = stallWatchdog(options.timeoutMs, options.signal);
    let written = 0;
    try {
        const response = await get(url, options, watchdog.signal);
        watchdog.alive();
        const count = new Transform({
            transform(chunk: Buffer, _encoding, done) {
                written += chunk.length;
                watchdog.alive();
                options.onChunk?.(chunk);
                done(null, chunk);
            }
        });
        await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), count, createWriteStream(file), { signal: watchdog.signal });
        return written;
    } catch (error) {
        if (watchdog.stalled())
            throw new SourceFailure(`${url}: the download stalled (no data for ${Math.round(options.timeoutMs / 1000)} s after ${written} bytes)`);
        if (options.signal?.aborted === true || error instanceof SourceFailure)
            throw error;
        throw new SourceFailure(`${url}: ${reasonOf(error)}`);
    } finally {
        watchdog.dispose();
    }
}
