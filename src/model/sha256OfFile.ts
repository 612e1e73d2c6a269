import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** The sha256 of a file (or of its first `limitBytes`), streamed: a large model is never held in memory. */
export async function sha256OfFile(filePath: string, limitBytes?: number): Promise<string> {
    const hash = createHash("sha256");
    const stream = createReadStream(filePath, limitBytes == null ? {} : { start: 0, end: limitBytes - 1 });
    for await (const chunk of stream)
        hash.update(chunk as Buffer);
    return hash.digest("hex");
}
