import { accessSync, constants, existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { OutputIsInputError, OutputConflictError, OutputNotAFileError, OutputWriteError } from "../errors/outputErrors.js";
import { JsonlWriter } from "./JsonlWriter.js";
import { canonicalPath, sameFile, statIfExists } from "./sameFile.js";
import { leftUnchanged, writeFileAtomic } from "./writeFileAtomic.js";

/** What every command's -o help says about the path (the one behaviour all of them share). */
export const OUTPUT_FILE_HELP = "a missing folder is created; an existing file is replaced only once the new one is complete";

export type OutputChecks = {
    /** Files the command reads; an output may not be any of them (missing ones are ignored). */
    inputs?: readonly (string | undefined)[];
    /** The command's other outputs, already checked; an output may not be one of them. */
    outputs?: readonly (OutputFile | undefined)[];
};

/**
 * A file a command writes. `check` refuses, before anything is read or written, an
 * output that is one of the command's inputs or another of its outputs (the same file
 * by device and inode, whatever the spelling), a folder, or a path that cannot become a
 * file. Writing then never touches an existing file until the new content is complete:
 * `writeWhole` and `openJsonl` write a temporary file next to it and rename it over the
 * old one, creating a missing folder first; a device such as /dev/null is written in place.
 * Every failure is a ReerError with a one-line message.
 */
export class OutputFile {
    private constructor(
        /** The flag that named it, for messages ("-o"). */
        public readonly flag: string,
        /** The path as given. */
        public readonly file: string,
        /** Where the content goes: the path with symbolic links resolved. */
        private readonly target: string,
        /** A device, pipe or socket: written in place, never replaced. */
        private readonly device: boolean
    ) {}

    public static check(flag: string, file: string, checks: OutputChecks = {}): OutputFile {
        // One meaning everywhere: no command writes a file named "-" by surprise, and none takes it for stdout.
        if (file === "-")
            throw new OutputNotAFileError(flag, file, "is not taken for stdout by any reer command; leave out -o where a command writes to stdout " +
                "(score, export, evaluate), or name a file (./- for a file called \"-\")");
        if (/[\\/]$/.test(file))
            throw new OutputNotAFileError(flag, file, "ends in a path separator, so it names a folder; give the path of a file");
        const stats = statIfExists(file);
        if (stats?.isDirectory() === true)
            throw new OutputNotAFileError(flag, file, `is a folder; name a file, such as ${path.join(file, "<name>")}`);
        for (const input of checks.inputs ?? []) {
            if (input != null && existsSync(input) && sameFile(file, input))
                throw new OutputIsInputError(flag, file, input);
        }
        for (const other of checks.outputs ?? []) {
            if (other != null && sameFile(file, other.file))
                throw new OutputConflictError(other.flag, flag, file);
        }
        const device = stats != null && !stats.isFile();
        if (device)
            return new OutputFile(flag, file, path.resolve(file), true);
        const target = stats == null ? canonicalPath(file) : realpathSync(file);
        checkFolder(flag, file, path.dirname(target), stats != null);
        return new OutputFile(flag, file, target, false);
    }

    /** Replaces the file with `content` in one step (see writeFileAtomic). */
    public writeWhole(content: string | Uint8Array): void {
        if (this.device) {
            try {
                writeFileSync(this.target, content);
            } catch (error) {
                throw new OutputWriteError(this.file, error, `${this.file} is incomplete`);
            }
            return;
        }
        this.createFolder();
        writeFileAtomic(this.target, content, { label: this.file });
    }

    /** A JSONL writer whose lines replace the file when it is committed (see JsonlWriter). */
    public openJsonl(): JsonlWriter {
        return JsonlWriter.toFile(this.target, { label: this.file, device: this.device });
    }

    private createFolder(): void {
        try {
            mkdirSync(path.dirname(this.target), { recursive: true });
        } catch (error) {
            throw new OutputWriteError(this.file, error, "nothing was written");
        }
    }
}

/**
 * The nearest existing folder on the way to the output must be a folder this process can
 * write into (the temporary file and a missing folder are created there).
 */
function checkFolder(flag: string, file: string, folder: string, exists: boolean): void {
    let existing = folder;
    while (!existsSync(existing))
        existing = path.dirname(existing);
    if (!statSync(existing).isDirectory())
        throw new OutputNotAFileError(flag, file, `cannot be created: ${existing} is a file, not a folder`);
    try {
        accessSync(existing, constants.W_OK);
    } catch (error) {
        throw new OutputWriteError(file, error, leftUnchanged(file, file, exists));
    }
}
