import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportCommand } from "../../src/cli/commands/reportCommand.js";
import { ReerError } from "../../src/errors/ReerError.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { compareTokenLogprobs } from "../../src/report/tokenComparison.js";
import { scoreRecords, type RecordScore } from "../../src/scoring/scoreRecords.js";
import type { DoneRecord, TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { paperDoneRecord, sampleTrace } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-report-cli-"));

function writeTrace(name: string, records: TraceRecord[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, records.map((record) => JSON.stringify(record) + "\n").join(""));
    return file;
}

async function report(args: string[]): Promise<void> {
    await reportCommand().exitOverride().parseAsync(args, { from: "user" });
}

/** A story item in words the tiny test model's vocabulary can encode, scored with the plain layout. */
function storyRecord(): DoneRecord {
    const sentence = (words: string) => `${words} `.repeat(4).trim();
    return paperDoneRecord(1, {
        id: "story",
        x: "Tell a story about a cat.",
        y: "Once upon a time there was a little cat. She liked to play in the sun with her ball.",
        segments: [sentence("The cat is small and likes the sun."), sentence("She has a red ball and a friend."), sentence("They play all day in the park.")],
        score0: 1.3,
        steps: [{ segment: 0 }, { segment: 1, rewrite: sentence("The cat plays with her ball in the sun."), gain: 0.1 }],
        prompts: ["plain", "en/initial@0123456789ab"]
    });
}

describe("reer report", () => {
    it("writes the report for a trace, opening on the item named by --item", async () => {
        const trace = writeTrace("sample.jsonl", sampleTrace());
        const output = path.join(dir, "out", "report.html");
        await report([trace, "-o", output, "--item", "ex-lighthouse"]);
        const html = readFileSync(output, "utf8");
        expect(html.startsWith("<!doctype html>")).toBe(true);
        expect(html).toContain(`<option value="0" selected>`);
        expect(html).toContain("Per-token log-probabilities are not stored");
    });

    it("refuses a missing file, an invalid line and an unknown item with user errors", async () => {
        await expect(report([path.join(dir, "nope.jsonl")])).rejects.toThrow(/No trace file at/);
        const bad = path.join(dir, "bad.jsonl");
        writeFileSync(bad, `${JSON.stringify(sampleTrace()[0])}\n{"id": "half"}\n`);
        await expect(report([bad, "-o", path.join(dir, "bad.html")])).rejects.toMatchObject({ code: "TRACE_INVALID" });
        const trace = writeTrace("unknown.jsonl", sampleTrace());
        await expect(report([trace, "-o", path.join(dir, "u.html"), "--item", "missing"])).rejects.toBeInstanceOf(ReerError);
    });

    it("with --model, colours y by the change in per-token log-probability", async () => {
        const trace = writeTrace("story.jsonl", [storyRecord()]);
        const output = path.join(dir, "story.html");
        await report([trace, "-o", output, "--model", requireAsset(stories260kPath), "--threads", "1", "--gpu", "off"]);
        const html = readFileSync(output, "utf8");
        expect(html).toContain("(plain layout)");
        expect(html.match(/<span class="tok"/g)?.length).toBeGreaterThan(10);
        expect(html).toContain("colour saturates at");
        // The fixture's scores are made up, and stories260K is not the recorded scorer.
        expect(html).toContain("These scores differ from the trace");
    });
});

describe("compareTokenLogprobs on a real model", () => {
    let model: LoadedModel;
    beforeAll(async () => {
        model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
    });
    afterAll(async () => {
        await model?.dispose();
    });

    it("scores y as reer score does under z0 and z, in pieces that spell y", async () => {
        const record = storyRecord();
        const tokens = await compareTokenLogprobs(model, record, { template: "none", threads: 1 });
        expect(tokens.yHead + tokens.pieces.map((piece) => piece.text).join("")).toBe(record.y);
        expect(tokens.pieces.reduce((sum, piece) => sum + piece.tokens, 0)).toBe(tokens.before.tokenCount);

        const results: RecordScore[] = [];
        await scoreRecords(model, [
            { line: 1, prompt: record.x, response: record.y, thinking: record.z0! },
            { line: 2, prompt: record.x, response: record.y, thinking: record.z! }
        ], { template: "none", threads: 1 }, (result) => { results.push(result); });
        expect(tokens.before.sumLogprob).toBeCloseTo(results[0]!.sumLogprob, 6);
        expect(tokens.after.sumLogprob).toBeCloseTo(results[1]!.sumLogprob, 6);
        const pieceSum = tokens.pieces.reduce((sum, piece) => sum + piece.after, 0);
        expect(pieceSum).toBeCloseTo(tokens.after.sumLogprob, 6);
    });

    it("refuses an item without a final trajectory", async () => {
        await expect(compareTokenLogprobs(model, sampleTrace()[3]!, { template: "none", threads: 1 })).rejects.toMatchObject({ code: "REPORT_NO_TRAJECTORY" });
    });
});
