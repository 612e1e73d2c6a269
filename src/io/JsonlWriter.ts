import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";

/** Writes one JSON object per line to a file or stdout, honouring back-pressure. */
export class JsonlWriter {
    private readonly stream: NodeJS.WritableStream;
    private readonly ownsStream: boolean;

    public constructor(file: string | undefined) {
        this.ownsStream = file != null;
        this.stream = file == null ? process.stdout : createWriteStream(file, { flags: "w" });
    }

    public async write(value: unknown): Promise<void> {
        if (!this.stream.write(JSON.stringify(value) + "\n"))
            await once(this.stream, "drain");
    }

    public async close(): Promise<void> {
        if (!this.ownsStream)
            return;
        const stream = this.stream as WriteStream;
        await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error == null ? resolve() : reject(error))));
    }
}
