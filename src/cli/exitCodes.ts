import { ReerError } from "../errors/ReerError.js";

/** The process exit codes of every reer command; scripts can rely on them. */
export const ExitCode = {
    /** Everything asked for was done. */
    success: 0,
    /** An input, model or trace could not be used, or the run failed. Nothing useful was written. */
    failure: 1,
    /** The command line is wrong: an unknown option, a missing argument, a bad option value or config file. */
    usage: 2,
    /** The output was written but is incomplete: `merge` with items missing, `synthesize` with items that failed. */
    partial: 3,
    /** Stopped by Ctrl-C (SIGINT), 128 + 2 as a shell reports it; commands that resume pick up from what was written. */
    interrupted: 130,
    /** stdout (or stderr) is a pipe whose reader went away (`| head -1`): 128 + SIGPIPE, as a shell reports it. */
    brokenPipe: 141,
    /** Stopped by SIGTERM (kill, scancel, a container stop), 128 + 15; otherwise as `interrupted`. */
    terminated: 143
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every ReerError code and the exit code it ends the process with. A code missing here
 * exits with `failure`; test/cli/exitCodes.test.ts fails until each code in src/ is listed,
 * so a new error has to be classified once, here.
 */
export const exitCodeOfError: Readonly<Record<string, ExitCodeValue>> = {
    // The command line (flags, arguments, --config) is wrong, or asks for what cannot work
    // (settings whose prompts cannot fit the model's context, an output that is an input).
    MISSING_ARGUMENT: ExitCode.usage,
    INVALID_OPTION: ExitCode.usage,
    INVALID_FORMAT: ExitCode.usage,
    INVALID_CONFIG: ExitCode.usage,
    CONFIG_UNREADABLE: ExitCode.usage,
    CONFIG_CONFLICT: ExitCode.usage,
    CONTEXT_TOO_SMALL: ExitCode.usage,
    NO_MODEL: ExitCode.usage,
    UNKNOWN_MODEL: ExitCode.usage,
    OUTPUT_IS_INPUT: ExitCode.usage,
    OUTPUT_CONFLICT: ExitCode.usage,
    OUTPUT_NOT_A_FILE: ExitCode.usage,
    SHARD_INVALID: ExitCode.usage,
    SHARD_UNKNOWN: ExitCode.usage,
    SHARD_COUNT_MISSING: ExitCode.usage,
    // Inputs, traces, outputs and prompt files that cannot be used.
    INPUT_UNREADABLE: ExitCode.failure,
    INVALID_INPUT: ExitCode.failure,
    EMPTY_INPUT: ExitCode.failure,
    DUPLICATE_ITEM: ExitCode.failure,
    CONFIG_CHANGED: ExitCode.failure,
    TRACE_NOT_FOUND: ExitCode.failure,
    TRACE_UNREADABLE: ExitCode.failure,
    TRACE_INVALID: ExitCode.failure,
    TRACE_LOCKED: ExitCode.failure,
    MIXED_RUNS: ExitCode.failure,
    STATUS_NOT_FOUND: ExitCode.failure,
    STATUS_INVALID: ExitCode.failure,
    OUTPUT_WRITE_FAILED: ExitCode.failure,
    PROMPT_MISSING: ExitCode.failure,
    PROMPTS_UNUSABLE: ExitCode.failure,
    PROMPT_PLACEHOLDER: ExitCode.failure,
    REPORT_EMPTY: ExitCode.failure,
    REPORT_ITEM_NOT_FOUND: ExitCode.failure,
    REPORT_NO_TRAJECTORY: ExitCode.failure,
    // Models: missing, damaged, unsupported, or unable to hold or encode the text.
    MODEL_NOT_FOUND: ExitCode.failure,
    MODEL_IS_FOLDER: ExitCode.failure,
    MODEL_UNAVAILABLE: ExitCode.failure,
    MODEL_OFFLINE: ExitCode.failure,
    CATALOGUE_INVALID: ExitCode.failure,
    MODEL_DOWNLOAD_FAILED: ExitCode.failure,
    MODEL_CHECKSUM_MISMATCH: ExitCode.failure,
    MODEL_TRUNCATED: ExitCode.failure,
    MODEL_CORRUPT: ExitCode.failure,
    MODEL_LOAD_FAILED: ExitCode.failure,
    NOT_GGUF: ExitCode.failure,
    UNSUPPORTED_ARCHITECTURE: ExitCode.failure,
    NO_CHAT_TEMPLATE: ExitCode.failure,
    BAD_CHAT_TEMPLATE: ExitCode.failure,
    UNENCODABLE_TEXT: ExitCode.failure,
    CONTEXT_OVERFLOW: ExitCode.failure,
    EMPTY_CONTEXT: ExitCode.failure,
    EMPTY_CONTINUATION: ExitCode.failure,
    // The llama.cpp backend.
    BACKEND_UNAVAILABLE: ExitCode.failure,
    NATIVE_FAST_PATH_MISSING: ExitCode.failure,
    FAST_PATH_MISSING: ExitCode.failure
};

/** The exit code of a stop asked for by `signal`. */
export function exitCodeOfSignal(signal: NodeJS.Signals): ExitCodeValue {
    return signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
}

export function exitCodeFor(error: ReerError): ExitCodeValue {
    return exitCodeOfError[error.code] ?? ExitCode.failure;
}

/** The exit codes as the help shows them (top-level help and every command's epilogue). */
export const exitCodesHelp = `Exit codes:
  0    success
  1    input or run error: an input, trace, prompt or model file that cannot be used, or a failed run
  2    usage error: unknown option, missing argument, invalid option value or --config file,
       or settings that cannot work together
  3    partial result: output written but incomplete (merge: items missing; synthesize: items failed)
  130  interrupted by Ctrl-C (SIGINT): synthesize, score and evaluate stop the call in hand
       within a decode step and keep every finished item or record; a second signal exits
       at once, keeping them too
  141  the reader of stdout went away (reer ... | head -1); the command ends quietly
  143  stopped by SIGTERM (kill, scancel, a container stop), as 130`;
