import type { ChildProcess } from "node:child_process";

/** How long a test waits for a child process before it kills it and fails: under the test timeout (120 s). */
export const CHILD_TIMEOUT_MS = 100_000;

/**
 * Resolves with how `child` ended, or kills it (SIGKILL) and rejects with `what` and the end
 * of its stderr when it has not ended within `timeoutMs`: a test that waits on a stuck
 * process fails with a message instead of hanging until the test timeout. Waits for
 * "close" (output drained) but at most a second past "exit", so a grandchild that keeps
 * the pipes open cannot hold the test.
 */
export function endOf(child: ChildProcess, what: string, timeoutMs = CHILD_TIMEOUT_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let stderrTail = "";
    child.stderr?.on("data", (chunk: Buffer) => { stderrTail = (stderrTail + chunk.toString("utf8")).slice(-2000); });
    return new Promise((resolve, reject) => {
        let drainBound: NodeJS.Timeout | undefined;
        const bound = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${what} did not end within ${timeoutMs / 1000} s and was killed; its stderr ended with:\n${stderrTail}`));
        }, timeoutMs);
        const settle = (code: number | null, signal: NodeJS.Signals | null): void => {
            clearTimeout(bound);
            clearTimeout(drainBound);
            resolve({ code, signal });
        };
        child.on("error", (error) => {
            clearTimeout(bound);
            reject(error);
        });
        child.on("exit", (code, signal) => { drainBound = setTimeout(() => settle(code, signal), 1000); });
        child.on("close", settle);
    });
}
