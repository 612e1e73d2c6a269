import { SourceFailure } from "./sourceFailure.js";

/**
 * An abort signal that fires once `timeoutMs` pass without a call to `alive()`: a
 * download that keeps moving is never cut off, one that stalls is given up on.
 */
export function stallWatchdog(timeoutMs: number, outer?: AbortSignal): { signal: AbortSignal; alive: () => void; stalled: () => boolean; dispose: () => void } {
    const controller = new AbortController();
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const alive = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
            stalled = true;
            controller.abort(new SourceFailure(`no data for ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
    };
    const onOuter = (): void => controller.abort(outer!.reason);
    outer?.addEventListener("abort", onOuter, { once: true });
    alive();
    return {
        signal: controller.signal,
        alive,
        stalled: () => stalled,
        dispose: () => {
            clearTimeout(timer);
            outer?.removeEventListener("abort", onOuter);
        }
    };
}
