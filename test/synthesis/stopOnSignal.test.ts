// Stopping a synthesis: a SIGINT or SIGTERM that arrives during a long generation ends the
// process within two seconds, with the finished item kept and the one in flight abandoned.
// The generator is a scripted GGUF whose draft for one item is thousands of tokens long (the
// other item's is short), so the signal lands mid-generation, and the heartbeats it prints
// tell how long the rest of that generation would have taken: the test fails if the stop
// waits for the generation to end.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { traceRecordSchema } from "../../src/trace/traceRecordSchema.js";
import { deriveSeed, seededRandom, weightedChoice } from "../../src/util/seededRandom.js";
import { progressEvents, runCli } from "../support/runCli.js";
import { scriptedModel } from "../support/scriptedModel.js";
import { promptsWithOpeners } from "../support/scriptedPrompts.js";
import { planScript, retelling, storyX, storyY } from "../support/scriptedStory.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const scorer = requireAsset(stories260kPath);
const dir = mkdtempSync(path.join(tmpdir(), "reer-stop-"));

/** Unique made-up words (the scripted model needs every piece of its script unique), a blank line every 40. */
function longScript(characters: number): string {
    const words: string[] = [];
    for (let i = 0; words.join(" ").length < characters; i++) {
        const hex = createHash("sha256").update(String(i)).digest("hex").slice(0, 4 + (i % 4));
        words.push(hex.replace(/[0-9]/gu, (digit) => "ghijklmnop"[Number(digit)]!));
        if (i % 40 === 39)
            words.push("\n\n");
    }
    return " " + words.join(" ");
}

// Two openers: the short plan follows the first, the long script the second (it ends in ":").
const shortOpener = "Alright, the user";
const longOpener = "Alright, here is the story I see:";
const generator = scriptedModel({
    initial: planScript,
    edit: "Fine.\n</analyze>\n<refine>\n" + retelling + "\n</refine>",
    triggers: [{ after: ":", script: longScript(30_000) }],
    contextLength: 16384
});
const longTokens = generator.scripts.find((script) => script.after === ":")!.pieces.length;
const prompts = promptsWithOpeners({ en: [shortOpener, longOpener] });

/** The first id whose seed-0 opener draw (as the run makes it) is `opener`. */
function idDrawing(opener: string): string {
    const openers = [shortOpener, longOpener].map((text) => ({ text, weight: 1 }));
    return Array.from({ length: 100 }, (_, index) => `item-${index}`)
        .find((id) => weightedChoice(openers, seededRandom(deriveSeed(0, id, "opener"))).text === opener)!;
}
const shortId = idDrawing(shortOpener);
const longId = idDrawing(longOpener);

async function stopDuringLongDraft(signal: "SIGINT" | "SIGTERM") {
    const input = path.join(dir, `${signal}.jsonl`);
    const output = path.join(dir, `${signal}.trace.jsonl`);
    writeFileSync(input, [shortId, longId].map((id) => JSON.stringify({ id, prompt: storyX, response: storyY })).join("\n") + "\n");
    const result = await runCli(["synthesize", input, "-o", output, "--generator", generator.file, "--scorer", scorer,
        "--generator-template", "none", "--template", "none", "--preset", "paper", "--threads", "1", "--seed", "0", "--prompts", prompts,
        "--max-tokens", "4000", "--max-thinking-tokens", "1500", "--max-steps", "1", "--candidates", "1", "--progress", "json", "--heartbeat", "0.25"], {
        // Well into the long draft: a heartbeat of the long item with a few hundred tokens out.
        interrupt: { signal, when: (stderr) => progressEvents(stderr).some((event) => event.type === "heartbeat" && event.id === longId && Number(event.tokens) >= 200) }
    });
    const lastBeat = progressEvents(result.stderr).filter((event) => event.type === "heartbeat" && event.id === longId).at(-1);
    return { result, output, lastBeat };
}

describe("a signal during a long generation", () => {
    it.each([["SIGINT", ExitCode.interrupted], ["SIGTERM", ExitCode.terminated]] as const)(
        "%s stops the generation in hand within 2 s, keeps the finished item, abandons the one in flight, and exits %i", async (signal, code) => {
            expect(shortId).not.toBe(longId);
            const { result, output, lastBeat } = await stopDuringLongDraft(signal);
            expect(result.interrupted, result.stderr).toBe(true);
            expect(result.signal).toBeNull();
            expect(result.code, result.stderr).toBe(code);
            expect(result.exitMs).toBeLessThan(2000);
            // Heartbeats name the item and its phase, with the tokens so far and the recent rate.
            expect(lastBeat).toMatchObject({ type: "heartbeat", id: longId, phase: "drafting", step: 0, steps: 0 });
            expect(Number(lastBeat!.seconds)).toBeGreaterThan(0);
            // The draft had far more than two seconds left to run at the rate it was going.
            const tokens = Number(lastBeat!.tokens);
            const rate = Math.max(1, Number(lastBeat!.tokensPerSecond));
            expect((longTokens - tokens) / rate).toBeGreaterThan(4);

            expect(result.stderr).toContain(`stopping on ${signal}: abandoning the item(s) in flight, which the next run redoes; every finished item is kept`);
            expect(result.stderr).not.toContain("finishing the current write");
            expect(progressEvents(result.stderr).find((event) => event.type === "summary")).toMatchObject({ stopped: true, written: 1, abandoned: 1 });
            const records = readFileSync(output, "utf8").trim().split("\n").map((line) => traceRecordSchema.parse(JSON.parse(line)));
            expect(records.map((record) => [record.id, record.status])).toEqual([[shortId, "done"]]);
            expect(existsSync(`${output}.lock`)).toBe(false);
        });

    it("a log-mode run says what it kept in words", async () => {
        const input = path.join(dir, "log.jsonl");
        const output = path.join(dir, "log.trace.jsonl");
        writeFileSync(input, [shortId, longId].map((id) => JSON.stringify({ id, prompt: storyX, response: storyY })).join("\n") + "\n");
        const result = await runCli(["synthesize", input, "-o", output, "--generator", generator.file, "--scorer", scorer,
            "--generator-template", "none", "--template", "none", "--preset", "paper", "--threads", "1", "--seed", "0", "--prompts", prompts,
            "--max-tokens", "4000", "--max-thinking-tokens", "1500", "--max-steps", "1", "--candidates", "1", "--progress", "log", "--heartbeat", "0.25"], {
            interrupt: { signal: "SIGINT", when: (stderr) => new RegExp(`\\.\\.\\. ${longId} drafting: [1-9]\\d\\d+ token`, "u").test(stderr) }
        });
        expect(result.interrupted, result.stderr).toBe(true);
        expect(result.code).toBe(ExitCode.interrupted);
        // Heartbeats: the item, its phase, the tokens so far and the rate.
        expect(result.stderr).toMatch(new RegExp(`^ {2}\\.\\.\\. ${longId} drafting: \\d+ token\\(s\\) in \\d+ s, \\d+\\.\\d tokens/s$`, "mu"));
        expect(result.stderr).toContain("1 item(s) written (1 done, 0 skipped, 0 failed), 0 kept from earlier runs; stopped early, 1 item(s) in flight abandoned: " +
            "the items written are kept, run the same command to resume");
    });
});
