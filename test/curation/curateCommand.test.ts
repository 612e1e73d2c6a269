import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { curateCommand } from "../../src/cli/commands/curateCommand.js";
import { ReerError } from "../../src/errors/ReerError.js";
import { doneRecord, skippedRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-curate-cli-"));
const readJsonl = (file: string) => readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const run = (args: string[]) => curateCommand().parseAsync(args, { from: "user" });

describe("reer curate", () => {
    let stderr: string;
    beforeEach(() => {
        stderr = "";
        vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
            stderr += String(chunk);
            return true;
        });
    });
    afterEach(() => {
        vi.restoreAllMocks();
    });

    const trace = path.join(dir, "trace.jsonl");
    const waiting = doneRecord({ id: "b", z: "The keeper's fear has to show early, in small details such as shaking hands on the stairs.\n\n" +
        "The storm then forces a choice, and lighting the lamp is the turn of the story. Wait, maybe not." });
    writeFileSync(trace, [
        // An unknown key must survive: kept records are written unchanged.
        JSON.stringify({ ...doneRecord({ id: "a" }), extra: { note: 1 } }),
        JSON.stringify(waiting),
        JSON.stringify(skippedRecord({ id: "c", reason: "too long" }))
    ].join("\n") + "\n");

    it("writes kept records unchanged and dropped ones with their reasons", async () => {
        const kept = path.join(dir, "kept.jsonl");
        const rejected = path.join(dir, "rejected.jsonl");
        await run([trace, "-o", kept, "--rejected", rejected]);
        const keptLines = readJsonl(kept);
        expect(keptLines.map((record) => record.id)).toEqual(["a"]);
        expect(keptLines[0]!.extra).toEqual({ note: 1 });
        const rejectedLines = readJsonl(rejected);
        expect(rejectedLines.map((entry) => [entry.id, entry.line, (entry.reasons as { filter: string }[]).map((reason) => reason.filter)]))
            .toEqual([["b", 2, ["end-of-thinking"]], ["c", 3, ["status:skipped"]]]);
        expect((rejectedLines[0]!.record as { z: string }).z).toBe(waiting.z);
        expect(stderr).toContain("3 item(s) read, 1 kept, 2 dropped");
    });

    it("applies flags over the --config file", async () => {
        const config = path.join(dir, "config.json");
        writeFileSync(config, JSON.stringify({ endOfThinking: { enabled: false }, length: { z: { max: 2 } } }));
        const kept = path.join(dir, "kept-config.jsonl");
        await run([trace, "-o", kept, "--config", config]);
        expect(readJsonl(kept)).toEqual([]);
        await run([trace, "-o", kept, "--config", config, "--max-z-tokens", "1000"]);
        expect(readJsonl(kept).map((record) => record.id)).toEqual(["a", "b"]);
        await run([trace, "-o", kept, "--config", config, "--no-length"]);
        expect(readJsonl(kept).map((record) => record.id)).toEqual(["a", "b"]);
    });

    it("refuses an invalid config as a user error", async () => {
        const config = path.join(dir, "bad.json");
        writeFileSync(config, JSON.stringify({ repetition: { maxRatio: "high" } }));
        await expect(run([trace, "-o", path.join(dir, "never.jsonl"), "--config", config])).rejects.toThrow(ReerError);
        await expect(run([trace])).rejects.toThrow(/No output file/u);
        await expect(run([trace, "-o", trace])).rejects.toThrow(/also the input/u);
    });
});
