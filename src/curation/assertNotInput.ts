import path from "node:path";
import { ReerError } from "../errors/ReerError.js";

/**
 * Output files are opened (and emptied) before the input is read, so writing to the input
 * would destroy it: refuse that up front.
 */
export function assertNotInput(input: string, outputs: readonly (string | undefined)[]): void {
    for (const output of outputs) {
        if (output != null && path.resolve(output) === path.resolve(input))
            throw new ReerError("OUTPUT_IS_INPUT", `${output} is also the input; writing to it would destroy the input.`, "Choose another output file.");
    }
}
