import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exportCommand } from "../../src/cli/commands/exportCommand.js";
import { curationConfigSchema } from "../../src/curation/curationConfig.js";
import { curateRecords } from "../../src/curation/Curator.js";
import { estimatedTokenCounter } from "../../src/model/tokenCounter.js";
import { ReerError } from "../../src/errors/ReerError.js";
import { resolveExportFormat } from "../../src/export/exportFormats.js";
import { exportRecords } from "../../src/export/exportRecords.js";
import { asDone, doneRecord, oneRewriteRecord, skippedRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-export-"));
const system = "You are a careful writer.";

// Curate a small trace, then export what was kept: the export must hold exactly those items.
const records = [
    oneRewriteRecord(),
    doneRecord({ id: "plain", x: "写一首关于雨的短诗。", y: "雨落在城市的屋顶上。", z: "先想城市的早晨。\n\n再想夜晚的霓虹和水洼里的倒影，让诗从早写到晚，语气安静。" }),
    doneRecord({ id: "truncated", z: "Another plan entirely, about boats.", initial: { opener: "A", raw: "...", tokensGenerated: 9, stop: "max-tokens", closed: false } }),
    skippedRecord({ id: "skipped", reason: "too long" })
];
const curated = curateRecords(records, curationConfigSchema.parse({}), estimatedTokenCounter);
const keptFile = path.join(dir, "kept.jsonl");
writeFileSync(keptFile, curated.kept.map((record) => JSON.stringify(record) + "\n").join(""));
const keptIds = ["searched", "plain"];
const byId = new Map(records.map((record) => [record.id, record]));
const turn = (id: string) => `<think>\n${asDone(byId.get(id)!).z}\n</think>\n\n${byId.get(id)!.y}`;

const readJsonl = (file: string) => readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>);
const exportTo = async (name: string, args: string[]) => {
    const file = path.join(dir, name);
    await exportCommand().parseAsync([keptFile, "-o", file, ...args], { from: "user" });
    return file;
};
/** Every line has exactly these keys, as the `datasets` JSON loader needs. */
const expectKeys = (rows: Record<string, unknown>[], keys: string[]) => {
    for (const row of rows)
        expect(Object.keys(row).sort()).toEqual([...keys].sort());
};

describe("reer export", () => {
    beforeEach(() => {
        vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    });
    afterEach(() => {
        vi.restoreAllMocks();
    });

    it("the fixture keeps the expected items", () => {
        expect(curated.kept.map((record) => record.id)).toEqual(keptIds);
    });

    it("writes chat messages with the think block, and the system message on every line", async () => {
        const rows = readJsonl(await exportTo("messages.jsonl", ["--system", system]));
        expectKeys(rows, ["id", "messages"]);
        expect(rows.map((row) => row.id)).toEqual(keptIds);
        expect(rows[1]!.messages).toEqual([
            { role: "system", content: system },
            { role: "user", content: byId.get("plain")!.x },
            { role: "assistant", content: turn("plain") }
        ]);
        const plain = readJsonl(await exportTo("messages-nosys.jsonl", []));
        expect(plain.map((row) => (row.messages as { role: string }[]).map((message) => message.role))).toEqual([["user", "assistant"], ["user", "assistant"]]);
    });

    it("writes ShareGPT conversations", async () => {
        const rows = readJsonl(await exportTo("sharegpt.jsonl", ["--format", "sharegpt", "--system", system]));
        expectKeys(rows, ["id", "conversations"]);
        expect(rows.map((row) => row.id)).toEqual(keptIds);
        expect(rows[0]!.conversations).toEqual([
            { from: "system", value: system },
            { from: "human", value: byId.get("searched")!.x },
            { from: "gpt", value: turn("searched") }
        ]);
    });

    it("writes prompt/completion pairs", async () => {
        const rows = readJsonl(await exportTo("completion.jsonl", ["-f", "completion"]));
        expectKeys(rows, ["id", "prompt", "completion"]);
        expect(rows).toEqual(keptIds.map((id) => ({ id, prompt: byId.get(id)!.x, completion: turn(id) })));
    });

    it("writes preference pairs from the kept items' search traces", async () => {
        const rows = readJsonl(await exportTo("pairs.jsonl", ["-f", "preference", "--pair-with-original"]));
        expectKeys(rows, ["id", "step", "prompt", "chosen", "rejected", "chosenScore", "rejectedScore", "rejectedFrom"]);
        expect(rows.map((row) => [row.id, row.rejectedFrom])).toEqual([["searched", "candidate"], ["searched", "original"]]);
        for (const row of rows)
            expect(row.chosenScore as number).toBeLessThan(row.rejectedScore as number);
    });

    it("writes Parquet (chosen by the extension) that reads back as the messages format", async () => {
        const file = await exportTo("train.parquet", ["--system", system]);
        const rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
        expectKeys(rows, ["id", "prompt", "completion", "messages"]);
        expect(rows).toEqual(keptIds.map((id) => ({
            id,
            prompt: byId.get(id)!.x,
            completion: turn(id),
            messages: [
                { role: "system", content: system },
                { role: "user", content: byId.get(id)!.x },
                { role: "assistant", content: turn(id) }
            ]
        })));
    });

    it("skips items that are not done, and counts them", () => {
        const { rows, counts } = exportRecords(records, { format: "messages" });
        expect(rows).toHaveLength(3);
        expect(counts).toMatchObject({ read: 4, exported: 3, skippedByStatus: { skipped: 1 } });
    });
});

describe("resolveExportFormat", () => {
    it("infers Parquet from the extension and refuses contradictions", () => {
        expect(resolveExportFormat(undefined, "out.parquet")).toBe("parquet");
        expect(resolveExportFormat(undefined, "out.jsonl")).toBe("messages");
        expect(resolveExportFormat(undefined, undefined)).toBe("messages");
        expect(resolveExportFormat("sharegpt", "out.jsonl")).toBe("sharegpt");
        expect(() => resolveExportFormat("messages", "out.parquet")).toThrow(ReerError);
        expect(() => resolveExportFormat("parquet", undefined)).toThrow(ReerError);
        expect(() => resolveExportFormat("alpaca", "out.jsonl")).toThrow(/Unknown export format/u);
    });

    it("refuses a system message where the format has no place for it", () => {
        expect(() => exportRecords(records, { format: "completion", system })).toThrow(ReerError);
    });
});
