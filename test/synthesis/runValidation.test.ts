// Settings that cannot work are one error before any output exists, in a real run and in
// --dry-run alike; and what --dry-run prints is a config that --config takes as it is.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSamplePairs } from "../support/pairs.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath, tinyStories656kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-validate-"));
const stories = requireAsset(stories260kPath);
const pairs = loadSamplePairs();
const input = path.join(dir, "in.jsonl");
writeFileSync(input, [5, 6].map((i) => JSON.stringify({ id: pairs[i]!.id, prompt: pairs[i]!.prompt, response: pairs[i]!.response })).join("\n") + "\n");
const plain = ["--generator-template", "none", "--preset", "paper", "--template", "none", "--threads", "1"];
/** Exit codes (src/cli/exitCodes.ts): settings that cannot work are a usage error, an unusable prompt file a failure. */
const USAGE = 2;
const FAILURE = 1;

/** Runs synthesize both for real and with --dry-run; both must fail the same way and leave no output. */
async function refusedBoth(args: string[], exitCode: number): Promise<string> {
    const messages: string[] = [];
    for (const dryRun of [false, true]) {
        const output = path.join(dir, `out-${messages.length}-${Math.random().toString(36).slice(2)}.jsonl`);
        const result = await runCli(["synthesize", input, "-o", output, ...args, ...(dryRun ? ["--dry-run"] : [])]);
        expect(result.code, result.stderr).toBe(exitCode);
        expect(existsSync(output)).toBe(false);
        expect(result.stdout).toBe("");
        messages.push(result.stderr);
    }
    expect(messages[1]).toBe(messages[0]);
    return messages[0]!;
}

describe("reer synthesize refuses settings that cannot work, before creating the output", () => {
    it("the default --max-tokens on a model with a 2048-token context: names --max-tokens and a value that fits", async () => {
        const stderr = await refusedBoth(["--model", stories, ...plain], USAGE);
        expect(stderr).toMatch(/--max-tokens 8000/u);
        expect(stderr).toMatch(/whose limit is 2048/u);
        const fits = Number(/Use --max-tokens (\d+) or less/u.exec(stderr)?.[1]);
        // With z allowed to grow to twice --max-tokens, an edit turn needs about three times it.
        expect(fits).toBeGreaterThan(100);
        expect(fits * 3).toBeLessThan(2048);
    });

    it("the suggested value is computed on the input's items: it passes, and the default preset picks it by itself", async () => {
        const first = await runCli(["synthesize", input, "-o", path.join(dir, "x.jsonl"), "--model", stories, ...plain, "--dry-run"]);
        const fits = Number(/Use --max-tokens (\d+) or less/u.exec(first.stderr)?.[1]);
        const ok = await runCli(["synthesize", input, "-o", path.join(dir, "y.jsonl"), "--model", stories, ...plain, "--max-tokens", String(fits), "--dry-run"]);
        expect(ok.code, ok.stderr).toBe(0);
        expect(JSON.parse(ok.stdout).sampling.maxTokens).toBe(fits);
        // Without --preset paper and without --max-tokens, the run lowers the cap to the same value and says so
        // (--preset small keeps the small-model preset's cap, which stories260K gets by its size, and lowers only that).
        const auto = plain.filter((flag) => flag !== "--preset" && flag !== "paper");
        const adapted = await runCli(["synthesize", input, "-o", path.join(dir, "w.jsonl"), "--model", stories, ...auto, "--dry-run"]);
        expect(adapted.code, adapted.stderr).toBe(0);
        expect(fits).toBeLessThan(512);
        expect(JSON.parse(adapted.stdout).sampling.maxTokens).toBe(fits);
        expect(adapted.stderr).toContain(`adapted to the models: --max-tokens ${fits} (512 does not fit`);
        // A cap given on the command line is never changed: one item cannot fit at twice the value, and the run says so per item instead.
        const given = await runCli(["synthesize", input, "-o", path.join(dir, "v.jsonl"), "--model", stories, ...auto, "--max-tokens", "8000", "--dry-run"]);
        expect(given.code).toBe(USAGE);
    });

    it("--prompts pointing at an empty folder", async () => {
        const empty = path.join(dir, "empty-prompts");
        mkdirSync(empty, { recursive: true });
        const stderr = await refusedBoth(["--model", stories, ...plain, "--max-tokens", "200", "--prompts", empty], FAILURE);
        expect(stderr).toMatch(/empty-prompts/u);
        expect(stderr).toMatch(/does not exist|Cannot read/u);
    });

    it("--max-tokens below --min-thinking-tokens", async () => {
        const stderr = await refusedBoth(["--model", stories, ...plain, "--max-tokens", "50", "--min-thinking-tokens", "100"], USAGE);
        expect(stderr).toMatch(/--max-tokens 50 is below --min-thinking-tokens 100/u);
        expect(stderr).toMatch(/every item would be skipped/u);
    });

    it("a vocabulary that cannot encode the prompt templates (TinyStories-656K has no parentheses)", async () => {
        const tiny656k = requireAsset(tinyStories656kPath);
        const stderr = await refusedBoth(["--model", tiny656k, ...plain, "--max-tokens", "40", "--min-thinking-tokens", "10"], FAILURE);
        expect(stderr).toMatch(/prompt templates/u);
        expect(stderr).toMatch(/cannot/u);
    });
});

describe("reer synthesize --dry-run", () => {
    it("prints a config that --config accepts as it is, and that gives the same config back", async () => {
        const flags = ["--model", stories, ...plain, "--max-tokens", "120", "--max-steps", "3", "--seed", "9", "--initial-drafts", "2"];
        const first = await runCli(["synthesize", input, "-o", path.join(dir, "a.jsonl"), ...flags, "--dry-run"]);
        expect(first.code, first.stderr).toBe(0);
        const saved = path.join(dir, "saved-config.json");
        writeFileSync(saved, first.stdout);
        const again = await runCli(["synthesize", input, "-o", path.join(dir, "b.jsonl"), "--model", stories, "--threads", "1", "--config", saved, "--dry-run"]);
        expect(again.code, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
        expect(JSON.parse(again.stdout)).toMatchObject({ seed: 9, search: { maxSteps: 3, initialDrafts: 2 }, sampling: { maxTokens: 120 }, generatorTemplate: "none", scorerTemplate: "none" });
    });
});
