import type { DownloadProgress } from "./downloadProgress.js";

/** What a source needs besides its own description while it fetches a model into a temporary file. */
export type SourceContext = {
    /** The catalogue name, for progress labels. */
    name: string;
    /** Longest silence allowed from the network (see networkTimeoutMs). */
    timeoutMs: number;
    progress: DownloadProgress;
    /** A line for the user (stderr); the progress bar is cleared first. */
    say: (line: string) => void;
    signal?: AbortSignal;
};
