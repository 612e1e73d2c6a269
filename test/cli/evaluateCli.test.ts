import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluationSchema } from "../../src/evaluation/evaluationSchema.js";
import type { TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { headSha256, storyItems, storyRecord, storyTrace } from "../support/evaluationFixtures.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath, tinyStories656kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-evaluate-cli-"));
const model = requireAsset(stories260kPath);

function writeTrace(name: string, records: TraceRecord[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, records.map((record) => JSON.stringify(record) + "\n").join(""));
    return file;
}

/** A run scored by stories260K, whose last line retries the first item. */
const trace = writeTrace("run.jsonl", [...storyTrace(model), storyRecord(storyItems[0]!, {}, model)]);

describe("reer evaluate", () => {
    it("--json: the run's own scorer, the same perplexities as `reer score`, and the summary's counts", async () => {
        const result = await runCli(["evaluate", trace, "--json", "--threads", "1"]);
        expect(result.stderr).not.toContain("reer:");
        expect(result.code).toBe(0);
        const evaluation = evaluationSchema.parse(JSON.parse(result.stdout));
        expect(evaluation.items.map((item) => item.id)).toEqual(["boat", "tree", "cat"]);
        expect(evaluation.summary.items).toBe(3);
        expect(evaluation.summary.skipped_records.map((record) => `${record.id}:${record.status}`)).toEqual(["short:skipped", "broken:failed"]);
        expect(evaluation.summary.duplicate_ids).toEqual(["cat"]);
        expect(evaluation.summary.template).toBe("none");
        expect(evaluation.summary.held_out).toBe(false);
        expect(evaluation.summary.scorer.path).toBe(path.resolve(model));
        expect(evaluation.summary.scorer.headSha256).toBe(headSha256(model));
        // Duplicates are said on stderr; a pipe gets no progress bar.
        expect(result.stderr).toMatch(/note: 1 id\(s\) appear on more than one line .*"cat"/);
        expect(result.stderr).not.toMatch(/items \d+\/\d+/);

        // The oracle: `reer score` on the same x, y and each z, in another process.
        const pairs = path.join(dir, "pairs.jsonl");
        writeFileSync(pairs, evaluation.items.flatMap((item) => {
            const story = storyItems.find((candidate) => candidate.id === item.id)!;
            return ["", story.z0, story.z].map((thinking) => JSON.stringify({ prompt: story.x, response: story.y, thinking }));
        }).join("\n") + "\n");
        const scored = await runCli(["score", pairs, "--model", model, "--template", "none", "--threads", "1", "--quiet"]);
        expect(scored.code).toBe(0);
        const ppl = scored.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { ppl: number }).ppl);
        const evaluated = evaluation.items.flatMap((item) => [item.ppl_empty, item.ppl_initial, item.ppl_final]);
        expect(evaluated).toHaveLength(ppl.length);
        evaluated.forEach((value, index) => expect(Math.abs(value - ppl[index]!) / ppl[index]!).toBeLessThanOrEqual(1e-6));
        const improved = evaluation.items.filter((item) => item.ppl_final < item.ppl_initial).length;
        expect(evaluation.summary.improved_vs_initial).toBeCloseTo(improved / 3, 12);
    });

    it("prints a table without --json, and -o writes it to a file instead", async () => {
        const result = await runCli(["evaluate", trace, "--threads", "1"]);
        expect(result.code).toBe(0);
        const lines = result.stdout.trim().split("\n");
        expect(lines[0]).toMatch(/^id\s+y tokens\s+PPL no z\s+PPL z0\s+PPL final z\s+drop vs z0\s+drop vs no z$/);
        expect(lines.slice(1, 4).map((line) => line.split(/\s+/)[0])).toEqual(["boat", "tree", "cat"]);
        expect(result.stdout).toMatch(/^summary: 3 item\(s\) evaluated by .* \(the run's scorer, none layout, clip -2\): final z beats z0 on \d/m);
        expect(result.stdout).toContain("not evaluated: 2 record(s): short (skipped: initial trajectory has a single segment); broken (failed: Error: decode failed)");

        const file = path.join(dir, "out", "table.txt");
        const written = await runCli(["evaluate", trace, "--threads", "1", "-o", file, "--quiet"]);
        expect(written.code).toBe(0);
        expect(written.stdout).toBe("");
        expect(readFileSync(file, "utf8")).toBe(result.stdout);
    });

    it("--scorer: a held-out judge, still with the trace's layout", async () => {
        const judge = requireAsset(tinyStories656kPath);
        const result = await runCli(["evaluate", trace, "--scorer", judge, "--json", "--threads", "1"]);
        expect(result.code).toBe(0);
        const evaluation = evaluationSchema.parse(JSON.parse(result.stdout));
        expect(evaluation.summary.held_out).toBe(true);
        expect(evaluation.summary.scorer.headSha256).toBe(headSha256(judge));
        expect(evaluation.summary.template).toBe("none");
        expect(evaluation.summary.items).toBe(3);
    });

    it("refuses the paper layout for a model without a chat template, naming --template none", async () => {
        const paperTrace = writeTrace("paper.jsonl", storyItems.map((item) => storyRecord(item, { scorerTemplate: "paper" }, model)));
        const refused = await runCli(["evaluate", paperTrace, "--threads", "1"]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("has no chat template, so it cannot score with the paper layout");
        expect(refused.stderr).toContain("--template none");
        const plain = await runCli(["evaluate", paperTrace, "--threads", "1", "--template", "none", "--json"]);
        expect(plain.code).toBe(0);
        expect(evaluationSchema.parse(JSON.parse(plain.stdout)).summary.template).toBe("none");
    });

    it("says when the run's scorer is gone, and when the trace mixes scorers", async () => {
        const gone = writeTrace("gone.jsonl", storyItems.map((item) => storyRecord(item)));
        const missing = await runCli(["evaluate", gone, "--threads", "1"]);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain("is no longer at /models/test.gguf");
        expect(missing.stderr).toContain("--scorer");

        const mixed = writeTrace("mixed.jsonl", [storyRecord(storyItems[0]!, {}, model), storyRecord(storyItems[1]!, {}, requireAsset(tinyStories656kPath))]);
        const ambiguous = await runCli(["evaluate", mixed, "--threads", "1"]);
        expect(ambiguous.code).toBe(2);
        expect(ambiguous.stderr).toContain("2 different scorer models");
        const chosen = await runCli(["evaluate", mixed, "--threads", "1", "--scorer", model, "--json"]);
        expect(chosen.code).toBe(0);
    });
});

describe("reer report --evaluation", () => {
    it("shows the evaluation's numbers, and refuses a file that does not validate, naming the field", async () => {
        const evaluationFile = path.join(dir, "eval.json");
        const evaluated = await runCli(["evaluate", trace, "--json", "--threads", "1", "-o", evaluationFile]);
        expect(evaluated.code).toBe(0);
        const evaluation = evaluationSchema.parse(JSON.parse(readFileSync(evaluationFile, "utf8")));

        const page = path.join(dir, "report.html");
        const report = await runCli(["report", trace, "-o", page, "--evaluation", evaluationFile]);
        expect(report.code).toBe(0);
        const html = readFileSync(page, "utf8");
        expect(html).toContain("What the thinking is worth");
        for (const item of evaluation.items)
            expect(html).toContain(`no thinking ${item.ppl_empty.toFixed(3)} · z0 ${item.ppl_initial.toFixed(3)} · final z ${item.ppl_final.toFixed(3)}`);
        const median = evaluation.summary.median_drop_vs_initial!;
        expect(html).toContain(`<dt>Median PPL drop vs z0</dt><dd>${(median * 100).toFixed(1)}%</dd>`);

        const broken = JSON.parse(readFileSync(evaluationFile, "utf8")) as { items: Record<string, unknown>[] };
        delete broken.items[1]!.ppl_initial;
        const badFile = path.join(dir, "bad-eval.json");
        writeFileSync(badFile, JSON.stringify(broken, null, 2));
        const refused = await runCli(["report", trace, "-o", path.join(dir, "bad.html"), "--evaluation", badFile]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`${badFile} (field "items.1.ppl_initial")`);
        expect(refused.stderr).toContain(`(item "tree")`);
    });
});
