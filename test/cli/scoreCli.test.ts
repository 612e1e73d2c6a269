import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSamplePairs } from "../support/pairs.js";
import { needsFastPath, nativeFastPath, skipWithout } from "../support/nativeFastPath.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath, tinyStories656kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-cli-"));
const model = requireAsset(stories260kPath);
const pairs = loadSamplePairs();
const fastScoring = (await nativeFastPath()).scoring;

function writeJsonl(name: string, records: unknown[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, records.map((record) => JSON.stringify(record)).join("\n") + "\n");
    return file;
}

describe("reer score", () => {
    it("writes one result per record with aggregates and the exact tokens seen", async () => {
        const input = writeJsonl("two.jsonl", [
            { id: pairs[0]!.id, prompt: pairs[0]!.prompt, response: pairs[0]!.response },
            { prompt: pairs[1]!.prompt, response: pairs[1]!.response, thinking: "I will tell a short fable about a wolf." }
        ]);
        const output = path.join(dir, "two.out.jsonl");
        const result = await runCli(["score", input, "--model", model, "--template", "none", "--threads", "1", "--emit-tokens", "-o", output]);
        expect(result.stderr).toContain("scored 2 record(s)");
        expect(result.code).toBe(0);
        const lines = readFileSync(output, "utf8").trim().split("\n").map((line) => JSON.parse(line));
        expect(lines).toHaveLength(2);
        expect(lines[0].id).toBe(pairs[0]!.id);
        expect(lines[1].id).toBeUndefined();
        for (const line of lines) {
            expect(line.tokenLogprobs).toHaveLength(line.scoredTokens.length);
            expect(line.tokenCount).toBe(line.scoredTokens.length);
            const sum = line.tokenLogprobs.reduce((a: number, b: number) => a + b, 0);
            expect(line.sumLogprob).toBeCloseTo(sum, 9);
            expect(line.meanNll).toBeCloseTo(-sum / line.tokenCount, 9);
            expect(line.ppl).toBeCloseTo(Math.exp(line.meanNll), 9);
            const clipped = line.tokenLogprobs.reduce((a: number, b: number) => a - Math.max(b, -2), 0) / line.tokenCount;
            expect(line.clippedMeanNll).toBeCloseTo(clipped, 9);
            expect(line.contextTokens[0]).toBe(1); // stories260K's BOS
        }
        // The thinking text sits in the second record's context.
        expect(lines[1].contextTokens.length).toBeGreaterThan(lines[0].contextTokens.length);
    });

    it("names the line and field of an invalid record, and --skip-invalid skips it", async () => {
        const input = writeJsonl("bad.jsonl", [
            { id: "ok", prompt: pairs[2]!.prompt, response: pairs[2]!.response },
            { id: "no-response", prompt: "Write a poem." }
        ]);
        const failed = await runCli(["score", input, "--model", model, "--template", "none", "--threads", "1"]);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toMatch(/line 2, field "response"\): "response" is missing/);

        const skipped = await runCli(["score", input, "--model", model, "--template", "none", "--threads", "1", "--skip-invalid"]);
        expect(skipped.code).toBe(0);
        expect(skipped.stderr).toContain("skipped 1 invalid");
        expect(skipped.stdout.trim().split("\n")).toHaveLength(1);
        expect(JSON.parse(skipped.stdout).id).toBe("ok");
    });

    it("says the paper preset needs a chat template and how to score without one", async () => {
        const input = writeJsonl("one.jsonl", [{ prompt: pairs[0]!.prompt, response: pairs[0]!.response }]);
        const result = await runCli(["score", input, "--model", model, "--threads", "1"]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("has no chat template");
        expect(result.stderr).toContain("--template none");
    });

    it("refuses unencodable text with an error instead of letting llama.cpp abort the process", async () => {
        const input = writeJsonl("odd.jsonl", [{ id: "odd", prompt: "Write a story (short).", response: "Once upon a time\u2014a fox." }]);
        const result = await runCli(["score", input, "--model", requireAsset(tinyStories656kPath), "--template", "none", "--threads", "1"]);
        expect(result.signal).toBeNull();
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/line 1 \(id odd\).*cannot encode.*"\("/);
    });

    it("explains a missing model file", async () => {
        const input = writeJsonl("m.jsonl", [{ prompt: "a", response: "b" }]);
        const result = await runCli(["score", input, "--model", path.join(dir, "missing.gguf")]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("Model file not found");
        expect(result.stderr).toContain("stories260K.gguf");
    });
});

describe("reer inspect", () => {
    let inspected: Promise<{ code: number | null; description: Record<string, unknown> }> | undefined;
    /** One `reer inspect --json` run, shared by the tests below. */
    const inspect = () => inspected ??= runCli(["inspect", model, "--json"]).then((result) => ({ code: result.code, description: JSON.parse(result.stdout) as Record<string, unknown> }));

    it("describes the tiny model and its tokenizer", async () => {
        const { code, description } = await inspect();
        expect(code).toBe(0);
        expect(description.architecture).toBe("llama");
        expect(description.vocabularySize).toBe(512);
        expect(description.tokenizerType).toBe("spm");
        expect(description.byteFallback).toBe(true);
        expect(description.layers).toBe(5);
        expect(description.trainContextSize).toBe(2048);
        expect(description.chatTemplate).toBe(false);
        expect(description.parameters).toBeGreaterThan(200_000);
        expect(description.parameters).toBeLessThan(300_000);
    });

    it.skipIf(skipWithout(fastScoring))(needsFastPath("reports the native fast path as active", fastScoring), async () => {
        const { code, description } = await inspect();
        expect(code).toBe(0);
        expect(description.fastScoring).toBe(true);
    });
});
