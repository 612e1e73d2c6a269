import path from "node:path";
import { ReerError } from "./ReerError.js";

/** What an errno code means for someone writing a file, in words. */
const reasons: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EIO: "input/output error on the device",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOTDIR: "a part of the path is not a folder",
    EISDIR: "it is a folder",
    EFBIG: "the file is too large for this file system",
    ENAMETOOLONG: "the name is too long",
    EMFILE: "too many open files",
    ENFILE: "too many open files"
};

/** "no space left on the device (ENOSPC)" for an errno error, else the error's message. */
export function describeFileError(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code != null && reasons[code] != null)
        return `${reasons[code]} (${code})`;
    return error instanceof Error ? error.message : String(error);
}

/**
 * Writing an output failed (full disk, I/O error, no permission): one line naming the
 * file, the cause and what became of the file.
 */
export class OutputWriteError extends ReerError {
    public readonly file: string;
    public readonly errno: string | undefined;

    public constructor(file: string, error: unknown, consequence: string) {
        super("OUTPUT_WRITE_FAILED", `Cannot write ${file}: ${describeFileError(error)}; ${consequence}.`);
        this.file = file;
        this.errno = (error as NodeJS.ErrnoException | undefined)?.code;
    }
}

/** An output path that names one of the command's inputs. */
export class OutputIsInputError extends ReerError {
    public constructor(flag: string, output: string, input: string) {
        const same = path.resolve(output) === path.resolve(input) ? "is also the input" : `is the same file as the input ${input}`;
        super("OUTPUT_IS_INPUT", `${flag} ${output} ${same}; writing it would destroy the input. Choose another output file.`);
    }
}

/** Two outputs of one command that name the same file. */
export class OutputConflictError extends ReerError {
    public constructor(flag: string, otherFlag: string, output: string) {
        super("OUTPUT_CONFLICT", `${flag} and ${otherFlag} both name ${output}; give each its own file.`);
    }
}

/** An output path that cannot become a file: an existing folder, or a path through a file. */
export class OutputNotAFileError extends ReerError {
    /** `problem` completes "<flag> <output> ...", e.g. "is a folder". */
    public constructor(flag: string, output: string, problem: string) {
        super("OUTPUT_NOT_A_FILE", `${flag} ${output} ${problem}.`);
    }
}
