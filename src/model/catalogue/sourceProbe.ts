import { lookup } from "node:dns/promises";
import { reasonOf, SourceFailure } from "./sourceFailure.js";

/** Rejects with `message` once `ms` pass, unless `promise` settles first. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SourceFailure(message)), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    } finally {
        clearTimeout(timer);
    }
}

/**
 * Asks whether `url` can be fetched before a downloader is pointed at it: a DNS lookup of
 * its host, then a HEAD request (redirects not followed), both within `timeoutMs` in all.
 * node-llama-cpp's downloader retries an unreachable host for minutes; this answers in
 * milliseconds when DNS fails, and within the timeout when a host never replies. Throws
 * SourceFailure with the reason; an HTTP status of 400 or more counts as failure unless
 * `anyStatus` (the host answered, which is all a probe of a server's root can tell).
 */
export async function probeUrl(url: string, timeoutMs: number, options: { anyStatus?: boolean } = {}): Promise<void> {
    const { hostname } = new URL(url);
    const seconds = `${(timeoutMs / 1000).toFixed(timeoutMs < 1000 ? 1 : 0)} s`;
    const host = hostname.replace(/^\[|\]$/gu, "");
    const deadline = performance.now() + timeoutMs;
    try {
        await within(lookup(host), timeoutMs, `no DNS answer for ${host} within ${seconds}`);
    } catch (error) {
        if (error instanceof SourceFailure)
            throw error;
        throw new SourceFailure(`cannot resolve ${host} (${(error as NodeJS.ErrnoException).code ?? reasonOf(error)})`);
    }
    let status: number;
    try {
        const response = await fetch(url, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(Math.max(1, Math.round(deadline - performance.now()))) });
        status = response.status;
    } catch (error) {
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        throw new SourceFailure(timedOut ? `${host} did not answer within ${seconds}` : `${host} did not answer: ${reasonOf(error)}`);
    }
    if (status >= 400 && options.anyStatus !== true)
        throw new SourceFailure(`HTTP ${status} for ${url}`);
}
