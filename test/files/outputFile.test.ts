import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OutputWriteError } from "../../src/errors/outputErrors.js";
import { OutputFile } from "../../src/io/OutputFile.js";
import { sameFile } from "../../src/io/sameFile.js";
import { writeFileAtomic } from "../../src/io/writeFileAtomic.js";
import { mountSmallDisk } from "./smallDisk.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-output-"));
const file = (name: string, content?: string): string => {
    const full = path.join(dir, name);
    if (content != null)
        writeFileSync(full, content);
    return full;
};
const small = mountSmallDisk();
afterAll(() => small.disk?.unmount());

describe("OutputFile.check", () => {
    it("refuses the input under another spelling, a symbolic link or a hard link", () => {
        const input = file("input.jsonl", "{}\n");
        symlinkSync(input, file("link.jsonl"));
        linkSync(input, file("hard.jsonl"));
        for (const spelling of [input, path.join(dir, ".", "..", path.basename(dir), "input.jsonl"), file("link.jsonl"), file("hard.jsonl")])
            expect(() => OutputFile.check("-o", spelling, { inputs: [input] })).toThrow(expect.objectContaining({ code: "OUTPUT_IS_INPUT" }));
        expect(() => OutputFile.check("-o", file("other.jsonl"), { inputs: [input, undefined, file("missing.gguf")] })).not.toThrow();
    });

    it("refuses two outputs that name one file, even before it exists", () => {
        const kept = OutputFile.check("-o", file("kept.jsonl"));
        expect(() => OutputFile.check("--rejected", path.join(dir, "sub", "..", "kept.jsonl"), { outputs: [kept] }))
            .toThrow(expect.objectContaining({ code: "OUTPUT_CONFLICT", message: expect.stringContaining("-o and --rejected both name") }));
    });

    it("refuses a folder, a path ending in a separator and a path through a file, in one line", () => {
        const notAFolder = file("plain.txt", "x");
        for (const [output, words] of [[dir, "is a folder"], [path.join(dir, "new") + path.sep, "names a folder"], [path.join(notAFolder, "out.jsonl"), "is a file, not a folder"]] as const) {
            let caught: unknown;
            try {
                OutputFile.check("-o", output);
            } catch (error) {
                caught = error;
            }
            expect(caught).toMatchObject({ code: "OUTPUT_NOT_A_FILE", message: expect.stringContaining(words) });
            expect((caught as Error).message).not.toContain("\n");
        }
    });

    it("creates a missing folder only when writing, and writes through a symbolic link to its target", () => {
        const output = OutputFile.check("-o", path.join(dir, "a", "b", "report.html"));
        expect(existsSync(path.join(dir, "a"))).toBe(false);
        output.writeWhole("<html></html>");
        expect(readFileSync(path.join(dir, "a", "b", "report.html"), "utf8")).toBe("<html></html>");

        const target = file("target.jsonl", "old\n");
        symlinkSync(target, file("via-link.jsonl"));
        OutputFile.check("-o", file("via-link.jsonl")).writeWhole("new\n");
        expect(readFileSync(target, "utf8")).toBe("new\n");
        expect(statSync(file("via-link.jsonl")).ino).toBe(statSync(target).ino);
    });

    it("writes a device such as /dev/null in place instead of replacing it", () => {
        const before = statSync("/dev/null");
        OutputFile.check("-o", "/dev/null").writeWhole("discarded\n");
        expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
        expect(statSync("/dev/null").ino).toBe(before.ino);
    });
});

describe("JsonlWriter through OutputFile", () => {
    it("leaves an existing file as it was until commit, and keeps it on discard", async () => {
        const target = file("stream.jsonl", "old\n");
        chmodSync(target, 0o600);
        const failing = OutputFile.check("-o", target).openJsonl();
        await failing.write({ a: 1 });
        await failing.discard();
        expect(readFileSync(target, "utf8")).toBe("old\n");

        const writer = OutputFile.check("-o", target).openJsonl();
        await writer.write({ a: 1 });
        await writer.write({ b: 2 });
        expect(readFileSync(target, "utf8")).toBe("old\n");
        await writer.commit();
        expect(readFileSync(target, "utf8")).toBe("{\"a\":1}\n{\"b\":2}\n");
        expect(statSync(target).mode & 0o777).toBe(0o600);
        expect(readdirSync(dir).filter((name) => name.includes(".tmp-"))).toEqual([]);
    });

    it("creates no file and no folder when discarded before anything was flushed", async () => {
        const writer = OutputFile.check("-o", path.join(dir, "never", "x.jsonl")).openJsonl();
        await writer.write({ a: 1 });
        await writer.discard();
        expect(existsSync(path.join(dir, "never"))).toBe(false);
    });

    it("writes an empty file for no lines", async () => {
        const writer = OutputFile.check("-o", file("empty.jsonl", "old\n")).openJsonl();
        await writer.commit();
        expect(readFileSync(file("empty.jsonl"), "utf8")).toBe("");
    });
});

describe(`writing to a full disk${small.skipReason == null ? "" : ` (${small.skipReason})`}`, () => {
    const fullDiskIt = small.disk == null ? it.skip : it;

    fullDiskIt("writeFileAtomic and JsonlWriter fail with a one-line ENOSPC message and leave the old file and no temporary", async () => {
        const disk = small.disk!;
        disk.clear();
        const target = path.join(disk.dir, "out.jsonl");
        writeFileSync(target, "old\n");
        disk.fill();
        const big = "x".repeat(64 * 1024);
        let caught: unknown;
        try {
            writeFileAtomic(target, big);
        } catch (error) {
            caught = error;
        }
        expect(caught).toBeInstanceOf(OutputWriteError);
        expect((caught as OutputWriteError).errno).toBe("ENOSPC");
        expect((caught as Error).message).toMatch(/no space left .*ENOSPC.*was left as it was/u);
        expect((caught as Error).message).not.toContain("\n");

        const writer = OutputFile.check("-o", target).openJsonl();
        await writer.write({ text: big });
        await expect(writer.commit()).rejects.toMatchObject({ code: "OUTPUT_WRITE_FAILED", message: expect.stringContaining("ENOSPC") });
        expect(readFileSync(target, "utf8")).toBe("old\n");
        expect(readdirSync(disk.dir).sort()).toEqual(["filler", "out.jsonl"]);
        disk.clear();
    });
});

describe("sameFile", () => {
    it("compares existing files by inode and missing ones by canonical path", () => {
        mkdirSync(path.join(dir, "same"));
        const one = file("same/one.jsonl", "1");
        const two = file("same/two.jsonl", "1");
        expect(sameFile(one, two)).toBe(false);
        expect(sameFile(one, path.join(dir, "same", "..", "same", "one.jsonl"))).toBe(true);
        expect(sameFile(path.join(dir, "same", "new.jsonl"), path.join(dir, "same", "x", "..", "new.jsonl"))).toBe(true);
        expect(sameFile(one, path.join(dir, "same", "new.jsonl"))).toBe(false);
    });
});
