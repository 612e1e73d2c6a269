// End to end through the CLI with a scripted generator: a real GGUF model whose every turn
// is fixed text (test/support/scriptedModel.ts), so the search's extraction, bounds and
// bookkeeping can be checked against texts and numbers known in advance. stories260K
// scores; its scores are checked against a fresh `reer score` of the same (x, z, y).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { joinSegments } from "../../src/text/segmentText.js";
import { describeRefusal } from "../../src/trace/describeRefusal.js";
import { replaySteps, withSegment } from "../../src/trace/replaySteps.js";
import { traceRecordSchema, type DoneRecord, type TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { runCli, type CliResult } from "../support/runCli.js";
import { scriptedModel, scriptPrefix, type ScriptedModelSpec } from "../support/scriptedModel.js";
import { promptsWithOpeners } from "../support/scriptedPrompts.js";
import {
    editPrefill, opener, openerZh, planScript, planScriptZh, planSegments, planSegmentsZh, retelling, retellingZh,
    storyDraftScript, storyDraftSegments, storyOpener, storyX, storyXZh, storyY, storyYZh
} from "../support/scriptedStory.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const scorer = requireAsset(stories260kPath);
const dir = mkdtempSync(path.join(tmpdir(), "reer-scripted-search-"));
const z0 = planSegments.join("\n\n");
const prompts = promptsWithOpeners({ en: [opener], zh: [openerZh] });

type Pair = { id: string; prompt: string; response: string };
type Run = { result: CliResult; records: Map<string, TraceRecord> };

/** `reer synthesize` with a scripted generator (plain prompts) and stories260K as the scorer; `flags` come last and win. */
async function synthesize(name: string, spec: ScriptedModelSpec, pairs: Pair[], flags: string[], promptsDir = prompts): Promise<Run> {
    const input = path.join(dir, `${name}.jsonl`);
    const output = path.join(dir, `${name}.trace.jsonl`);
    writeFileSync(input, pairs.map((pair) => JSON.stringify(pair)).join("\n") + "\n");
    const generator = generatorFor(spec).file;
    const result = await runCli(["synthesize", input, "-o", output, "--generator", generator, "--scorer", scorer,
        "--generator-template", "none", "--preset", "paper", "--template", "none", "--threads", "1", "--seed", "0", "--prompts", promptsDir, "--progress", "log", ...flags]);
    const lines = result.code === 0 ? readFileSync(output, "utf8").split("\n").filter((line) => line !== "") : [];
    const records = lines.map((line) => traceRecordSchema.parse(JSON.parse(line)));
    return { result, records: new Map(records.map((record) => [record.id, record])) };
}

/** A fresh `reer score` of each (x, z, y), as the search scored it (same scorer, plain template). */
async function freshScores(name: string, rows: { x: string; z: string; y: string }[]) {
    const input = path.join(dir, `${name}.score.jsonl`);
    writeFileSync(input, rows.map((row, index) => JSON.stringify({ id: String(index), prompt: row.x, response: row.y, thinking: row.z })).join("\n") + "\n");
    const result = await runCli(["score", input, "--model", scorer, "--template", "none", "--threads", "1"]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { tokenCount: number; clippedMeanNll: number; meanNll: number });
}

function done(run: Run, id: string): DoneRecord {
    const record = run.records.get(id);
    expect(record, run.result.stderr).toBeDefined();
    expect(record!.status, JSON.stringify(record)).toBe("done");
    return record as DoneRecord;
}

/** The one candidate of the one step of a single-step run. */
function onlyCandidate(record: DoneRecord) {
    expect(record.steps).toHaveLength(1);
    expect(record.steps[0]!.candidates).toHaveLength(1);
    return record.steps[0]!.candidates[0]!;
}

/** The scripted generator of a run: a large training context, so the caps never bind. */
const generatorFor = (spec: ScriptedModelSpec) => scriptedModel({ contextLength: 8192, ...spec });

const expectClose = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(1e-6);

/** One step, one candidate, room for every trajectory below. */
const singleStep = ["--max-steps", "1", "--candidates", "1", "--max-tokens", "120", "--max-thinking-tokens", "1500"];
const storyPair = (id: string): Pair => ({ id, prompt: storyX, response: storyY });

describe("z grows until --max-thinking-tokens refuses the next rewrite", () => {
    // Every edit turn says this: the rewrite retells y's events, about three segments long.
    const edit = "This paragraph only plans the tone; the answer needs the events, in order.\n</analyze>\n<refine>\n" + retelling + "\n</refine>";
    const afterStep0 = [retelling, planSegments[1]!, planSegments[2]!].join("\n\n");
    const afterStep1 = [retelling, retelling, planSegments[2]!].join("\n\n");
    const refused = [retelling, retelling, retelling].join("\n\n");
    // The scripted model's vocabulary has no two-character pieces, so any ASCII text is one
    // generator token per character; stories260K needs fewer tokens for the same text. The
    // bound is exactly the length reached after two rewrites: the third would pass it.
    const maxThinking = afterStep1.length;
    let run: Run;
    let record: DoneRecord;

    beforeAll(async () => {
        expect(afterStep0.length).toBeLessThan(maxThinking);
        expect(refused.length).toBeGreaterThan(maxThinking);
        run = await synthesize("growth", { initial: planScript, edit }, [storyPair("dog-ball")],
            ["--candidates", "1", "--max-tokens", "100", "--max-thinking-tokens", String(maxThinking)]);
        expect(run.result.code, run.result.stderr).toBe(0);
        record = done(run, "dog-ball");
    });

    it("finishes done with no overflow or error, accepts two rewrites and refuses the third as too-long", () => {
        expect(run.result.stderr).toContain("1 item(s) written (1 done, 0 skipped, 0 failed)");
        expect(run.result.stderr).not.toMatch(/too small|overflow|exceed/i);
        expect(record.initial).toMatchObject({ opener, raw: planScript, stop: "eog" });
        expect(record.stopReason).toBe("all-segments");
        expect(record.stopError).toBeUndefined();
        expect(record.z0).toBe(z0);
        expect(record.segments).toBe(3);
        expect(record.steps.map((step) => step.original)).toEqual(planSegments);
        const candidates = record.steps.map((step) => step.candidates);
        for (const stepCandidates of candidates) {
            expect(stepCandidates).toHaveLength(1);
            expect(stepCandidates[0]!.raw).toBe(editPrefill + edit);
            expect(stepCandidates[0]!.text).toBe(retelling);
            expect(stepCandidates[0]!.tokensGenerated).toBe(generatorFor({ initial: planScript, edit }).edit!.pieces.length);
        }
        expect(candidates.map((step) => step[0]!.status)).toEqual(["scored", "scored", "rejected"]);
        expect(candidates[2]![0]!.reason).toBe("too-long");
        expect(candidates[2]![0]!.score).toBeUndefined();
        expect(record.steps.map((step) => step.chosen)).toEqual([0, 0, null]);
        expect(record.z).toBe(afterStep1);
    });

    it("never lets the best score rise, and every score matches a fresh `reer score` to 1e-6", async () => {
        let best = record.objective0;
        for (const step of record.steps) {
            expect(step.best).toBeLessThanOrEqual(best);
            expect(step.best).toBe(step.bestScore.clippedMeanNll);
            best = step.best;
        }
        expect(record.objectiveFinal).toBe(best);
        const [fresh0, fresh1, fresh2] = await freshScores("growth", [z0, afterStep0, afterStep1].map((z) => ({ x: storyX, z, y: storyY })));
        // The scorer itself, asked afresh, ranks the trajectories as the search did.
        expect(fresh1!.clippedMeanNll).toBeLessThan(fresh0!.clippedMeanNll);
        expect(fresh2!.clippedMeanNll).toBeLessThan(fresh1!.clippedMeanNll);
        const pairs = [
            [record.score0, fresh0!], [record.steps[0]!.candidates[0]!.score!, fresh1!], [record.steps[1]!.candidates[0]!.score!, fresh2!],
            [record.score, fresh2!]
        ] as const;
        for (const [traced, fresh] of pairs) {
            expect(traced.tokenCount).toBe(fresh.tokenCount);
            expectClose(traced.clippedMeanNll, fresh.clippedMeanNll);
            expectClose(traced.meanNll, fresh.meanNll);
        }
        expect(record.score.clippedMeanNll).toBeLessThan(record.score0.clippedMeanNll);
    });
});

describe("the rewrite is the last <refine> block of the whole turn", () => {
    it("an analysis that mentions the tags does not end the turn: the candidate is the real block", async () => {
        const real = "Hmm, let me think about the dog first. Max is a little dog who runs in the park, finds a red ball under a tree and shares it with his friend Lily.";
        // The pre-fill already opened <analyze>.
        const edit = "I will put it between <refine> and </refine>.\n</analyze>\n<refine>\n" + real + "\n</refine>";
        const run = await synthesize("mentions", { initial: planScript, edit }, [storyPair("mentions")], singleStep);
        expect(run.result.code, run.result.stderr).toBe(0);
        const candidate = onlyCandidate(done(run, "mentions"));
        expect(candidate.raw).toBe(editPrefill + edit);
        expect(candidate.tokensGenerated).toBe(generatorFor({ initial: planScript, edit }).edit!.pieces.length);
        expect(candidate.status).toBe("scored");
        expect(candidate.text).toBe(real);
    });

    it("of two blocks, the second is the candidate", async () => {
        const second = "Second try: Max the little dog finds a red ball under a tree and runs to Lily, and they play until the sun goes down.";
        const edit = "<refine>First try.</refine> Wait, better: <refine>" + second + "</refine>";
        const run = await synthesize("two-blocks", { initial: planScript, edit }, [storyPair("two-blocks")], singleStep);
        expect(run.result.code, run.result.stderr).toBe(0);
        const candidate = onlyCandidate(done(run, "two-blocks"));
        expect(candidate.raw).toBe(editPrefill + edit);
        expect(candidate.status).toBe("scored");
        expect(candidate.text).toBe(second);
    });
});

describe("an unclosed block, and y after </think>", () => {
    const unclosed = "Hmm, so the dog Max finds a red ball under a tree in the park and runs with it to his friend Lily";
    const edit = "Too vague.\n</analyze>\n<refine>\n" + unclosed;
    const response = "<think>\nsome thinking\n</think>\n\n" + storyY;
    // "<think>" 7 + "\n" 1 + "some thinking" 13 + "\n" 1 + "</think>" 8 + "\n\n" 2.
    const strippedChars = 32;
    const pairs = [storyPair("unclosed"), { id: "think", prompt: storyX, response }];
    let preset: Run;
    let strict: Run;

    beforeAll(async () => {
        preset = await synthesize("unclosed-preset", { initial: planScript, edit }, pairs, [...singleStep, "--progress", "json"]);
        strict = await synthesize("unclosed-strict", { initial: planScript, edit }, pairs,
            [...singleStep, "--progress", "json", "--no-accept-unclosed-rewrite", "--no-answer-after-think"]);
        expect(preset.result.code, preset.result.stderr).toBe(0);
        expect(strict.result.code, strict.result.stderr).toBe(0);
    });

    const summaryOf = (run: Run) => run.result.stderr.split("\n").filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { type: string; thinkingStripped?: number }).find((event) => event.type === "summary");

    it("the preset takes an unclosed block to the end of the turn", () => {
        const candidate = onlyCandidate(done(preset, "unclosed"));
        expect(candidate.raw).toBe(editPrefill + edit);
        expect(candidate.status).toBe("scored");
        expect(candidate.text).toBe(unclosed);
        expect(candidate.score).toBeDefined();
    });

    it("--no-accept-unclosed-rewrite rejects it as unclosed, unscored, and keeps z", () => {
        const record = done(strict, "unclosed");
        const candidate = onlyCandidate(record);
        expect(candidate.status).toBe("rejected");
        expect(candidate.reason).toBe("unclosed");
        expect(candidate.text).toBe(unclosed);
        expect(candidate.score).toBeUndefined();
        expect(record.steps[0]!.chosen).toBeNull();
        expect(record.z).toBe(z0);
    });

    it("y is the text after the last </think>, and the run summary counts the item", () => {
        const record = done(preset, "think");
        expect(record.y).toBe(storyY);
        expect(record.thinkingStrippedChars).toBe(strippedChars);
        expect(done(preset, "unclosed").thinkingStrippedChars).toBeUndefined();
        expect(summaryOf(preset)?.thinkingStripped).toBe(1);
    });

    it("--no-answer-after-think scores the whole response", () => {
        const record = done(strict, "think");
        expect(record.y).toBe(response);
        expect(record.thinkingStrippedChars).toBeUndefined();
        expect(summaryOf(strict)?.thinkingStripped).toBe(0);
    });
});

describe("a Chinese item", () => {
    it("uses the Chinese prompts and takes the Chinese block as the rewrite", async () => {
        const edit = "这一段只是在计划语气，没有讲故事里发生的事。\n</analyze>\n<refine>\n" + retellingZh + "\n</refine>";
        const run = await synthesize("chinese", { initial: planScriptZh, edit }, [{ id: "zh", prompt: storyXZh, response: storyYZh }], singleStep);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = done(run, "zh");
        expect(record.initial?.opener).toBe(openerZh);
        expect(record.z0).toBe(planSegmentsZh.join("\n\n"));
        const candidate = onlyCandidate(record);
        // The Chinese pre-fill, not the English one: the zh prompts were used.
        expect(candidate.raw).toBe("让我仔细看看这一段。\n<analyze>\n" + edit);
        expect(candidate.status).toBe("scored");
        expect(candidate.text).toBe(retellingZh);
        expect(record.prompts.some((id) => id.startsWith("zh/edit@"))).toBe(true);
    });
});

describe("a turn cut by --max-tokens", () => {
    it("takes the unclosed block up to the cap, and counts exactly the cap", async () => {
        const body = [
            "Let me think about what the child hears first. A little dog named Max lives near a green park, and every morning he runs there as fast as he can.",
            "Hmm, the middle needs the find: under an old tree Max spots something round and red, a ball that is bigger than his own head, and his tail wags.",
            "Wait, he should not keep it to himself. He carries it to his friend Lily, they chase it across the grass, and they laugh until the sky turns orange.",
            "Then the evening is quiet: Max walks home with the ball in his mouth, curls up in his bed, and falls asleep with his nose on the red ball."
        ].join(" ");
        const edit = "It plans, but it never says what happens.\n</analyze>\n<refine>\n" + body + "\n</refine>";
        const cap = 60;
        const model = generatorFor({ initial: planScript, edit });
        // The draft fits under the cap; the edit turn does not, and the cut falls inside the block.
        expect(model.initial.pieces.length).toBeLessThanOrEqual(cap);
        expect(model.edit!.pieces.length).toBeGreaterThan(cap);
        const said = scriptPrefix(model.edit!, cap);
        const opened = said.indexOf("<refine>\n");
        expect(opened).toBeGreaterThan(0);
        expect(said.length).toBeGreaterThan(opened + "<refine>\n".length + 100);

        const run = await synthesize("cut", { initial: planScript, edit }, [storyPair("cut")],
            // --max-tokens must not be below --min-thinking-tokens; z0 has 190 stories260K tokens.
            ["--max-steps", "1", "--candidates", "1", "--max-tokens", String(cap), "--min-thinking-tokens", String(cap), "--max-thinking-tokens", "1500"]);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = done(run, "cut");
        expect(record.initial?.stop).toBe("eog");
        expect(record.z0).toBe(z0);
        const candidate = onlyCandidate(record);
        expect(candidate.tokensGenerated).toBe(cap);
        expect(candidate.raw).toBe(editPrefill + said);
        expect(candidate.status).toBe("scored");
        expect(candidate.text).toBe(said.slice(opened + "<refine>\n".length).trim());
        expect(body.startsWith(candidate.text!)).toBe(true);
    });
});

describe("--initial-drafts 2", () => {
    it("records both drafts with their scores and searches from the better one", async () => {
        // Two openers; the second ends in ":", where the generator says a story-like draft.
        // With seed 0 and id "drafts", draft 0 draws the first opener and draft 1 the second.
        const twoOpeners = promptsWithOpeners({ en: [opener, storyOpener] });
        const storyZ = storyDraftSegments.join("\n\n");
        const edit = "Too thin.\n</analyze>\n<refine>\nMax the little dog finds a red ball and shares it with Lily in the park.\n</refine>";
        const run = await synthesize("drafts", { initial: planScript, edit, triggers: [{ after: ":", script: storyDraftScript }] },
            [storyPair("drafts")], ["--initial-drafts", "2", ...singleStep], twoOpeners);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = done(run, "drafts");
        const drafts = record.drafts!;
        expect(drafts.map((draft) => draft.opener)).toEqual([opener, storyOpener]);
        expect(drafts.map((draft) => draft.z)).toEqual([z0, storyZ]);
        expect(drafts.map((draft) => draft.rejected)).toEqual([undefined, undefined]);

        const fresh = await freshScores("drafts", [z0, storyZ].map((z) => ({ x: storyX, z, y: storyY })));
        drafts.forEach((draft, k) => {
            expect(draft.score!.tokenCount).toBe(fresh[k]!.tokenCount);
            expectClose(draft.score!.clippedMeanNll, fresh[k]!.clippedMeanNll);
            expect(draft.objective).toBe(draft.score!.clippedMeanNll);
        });
        // The story-like second draft makes y more predictable, so the search starts from it.
        expect(fresh[1]!.clippedMeanNll).toBeLessThan(fresh[0]!.clippedMeanNll);
        const lowest = drafts.reduce((a, b) => (b.objective! < a.objective! ? b : a));
        expect(record.z0).toBe(lowest.z);
        expect(record.z0).toBe(storyZ);
        expect(record.initial?.opener).toBe(storyOpener);
        expect(record.score0).toEqual(drafts[1]!.score);
        expect(record.steps[0]!.original).toBe(storyDraftSegments[0]);
    });
});

describe("--redrafts", () => {
    it("drafts a looping first draft again with the next seed, records the refused draft and why, and searches from the new one", async () => {
        // Seed 0 and id "drafts": draft 1 draws the first opener (the loop), draft 2 the second (the story draft).
        const twoOpeners = promptsWithOpeners({ en: [opener, storyOpener] });
        const loop = " " + Array.from({ length: 40 }, () => "The answer is no.").join(" ");
        const edit = "Too thin.\n</analyze>\n<refine>\nMax the little dog finds a red ball and shares it with Lily in the park.\n</refine>";
        const spec = { initial: loop, edit, triggers: [{ after: ":", script: storyDraftScript }] };
        const flags = ["--max-draft-repetition", "0.5", "--min-thinking-tokens", "20", ...singleStep];

        // Without redrafts the item is lost to the loop, and the reason says why.
        const once = await synthesize("drafts-once", spec, [storyPair("drafts")], flags, twoOpeners);
        expect(once.result.code, once.result.stderr).toBe(0);
        const skipped = once.records.get("drafts")!;
        expect(skipped.status).toBe("skipped");
        expect(skipped.status === "skipped" && skipped.reason).toMatch(/^initial trajectory has a single segment; it is degenerate: \d+% of its word 4-grams repeat earlier ones/u);
        // The same refusal as data, its sentence the reason.
        expect(skipped.status === "skipped" && skipped.refusal).toMatchObject({ code: "draft", problems: [{ code: "single-segment" }, { code: "degenerate", kind: "word", n: 4, max: 0.5 }] });
        expect(skipped.status === "skipped" && describeRefusal(skipped.refusal!)).toBe(skipped.status === "skipped" && skipped.reason);

        const run = await synthesize("drafts-again", spec, [storyPair("drafts")], ["--redrafts", "2", ...flags], twoOpeners);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = done(run, "drafts");
        // Two drafts were enough: the first refused as degenerate, the second searched from.
        expect(record.drafts!.map((draft) => draft.opener)).toEqual([opener, storyOpener]);
        expect(record.drafts![0]!.rejected).toMatch(/degenerate/u);
        expect(record.drafts![0]!.refusal?.problems.map((problem) => problem.code)).toContain("degenerate");
        expect(describeRefusal(record.drafts![0]!.refusal!)).toBe(record.drafts![0]!.rejected);
        expect(record.drafts![1]!.refusal).toBeUndefined();
        expect(record.drafts![1]!.rejected).toBeUndefined();
        expect(record.z0).toBe(storyDraftSegments.join("\n\n"));
        expect(record.initial?.opener).toBe(storyOpener);
    });

    it("says how many drafts were tried and why each was refused when none can start a search", async () => {
        const loop = " " + Array.from({ length: 40 }, () => "The answer is no.").join(" ");
        const run = await synthesize("drafts-all-loop", { initial: loop, edit: "Never asked for." }, [storyPair("loops")],
            ["--redrafts", "2", "--max-draft-repetition", "0.5", "--min-thinking-tokens", "20", ...singleStep]);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = run.records.get("loops")!;
        expect(record.status).toBe("skipped");
        expect(record.status === "skipped" && record.reason).toMatch(/^none of 3 drafts can start a search: draft 1: initial trajectory has a single segment; it is degenerate.*; draft 2: .*degenerate.*; draft 3: .*degenerate/u);
        expect(record.status === "skipped" && record.drafts).toHaveLength(3);
        const refusal = record.status === "skipped" ? record.refusal : undefined;
        expect(refusal?.code === "no-usable-draft" && refusal.drafts.map((draft) => draft.problems.map((problem) => problem.code)))
            .toEqual([["single-segment", "degenerate"], ["single-segment", "degenerate"], ["single-segment", "degenerate"]]);
    });

    it("searches from a draft that only loops when no redraft does better, saying so, instead of losing the item", async () => {
        // Two paragraphs, each a loop: a search can start from it, but it is degenerate.
        const paragraph = Array.from({ length: 12 }, () => "The answer is no.").join(" ");
        const loops = ` ${paragraph}\n\n${paragraph}`;
        const run = await synthesize("drafts-soft-loop", { initial: loops, edit: "Never asked for." }, [storyPair("soft")],
            ["--redrafts", "1", "--max-draft-repetition", "0.5", "--min-thinking-tokens", "20", "--max-steps", "0", "--max-tokens", "120", "--max-thinking-tokens", "1500"]);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = done(run, "soft");
        expect(record.drafts).toHaveLength(2);
        for (const draft of record.drafts!) {
            expect(draft.rejected).toBeUndefined();
            expect(draft.usedDespite).toMatch(/^initial trajectory is degenerate: \d+% of its word 4-grams repeat earlier ones \(> 50%\)$/u);
            expect(draft.refusal).toMatchObject({ code: "draft", problems: [{ code: "degenerate", max: 0.5 }] });
            expect(describeRefusal(draft.refusal!)).toBe(draft.usedDespite);
        }
    });

    it("with --screen-draft-copies refuses a draft that copies the response, as a rewrite would be", async () => {
        // The draft's second paragraph is y's first 110 characters.
        const copied = ` I plan the story in two parts and keep it simple for a young reader to follow, with one clear event in each part.\n\n${storyY.slice(0, 110)}`;
        const run = await synthesize("drafts-copy", { initial: copied, edit: "Never asked for." }, [storyPair("copy")],
            ["--screen-draft-copies", "--max-verbatim-chars", "60", "--min-thinking-tokens", "20", "--max-steps", "0", "--max-tokens", "120", "--max-thinking-tokens", "1500"]);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = run.records.get("copy")!;
        expect(record.status).toBe("skipped");
        expect(record.status === "skipped" && record.reason).toMatch(/^initial trajectory copies \d+ characters of the response verbatim \(>= 60\)$/u);
        expect(record.status === "skipped" && record.refusal).toEqual({ code: "draft", problems: [{ code: "copies-response", chars: expect.any(Number), max: 60 }] });
        expect(record.status === "skipped" && describeRefusal(record.refusal!)).toBe(record.status === "skipped" && record.reason);
    });
});

describe("--proposer resample", () => {
    it("proposes the model's own continuation of the thinking before the segment, cut at the blank line, and screens it like a rewrite", async () => {
        // After a pre-fill ending in a blank line ("\n"), the scripted generator says `edit`.
        const fresh = "Max the little dog runs to the park with his red ball, and Lily throws it for him until sunset.";
        const edit = `${fresh}\n\nThis second paragraph is never part of the candidate.`;
        const run = await synthesize("resample", { initial: planScript, edit }, [storyPair("resample")],
            ["--proposer", "resample", "--max-steps", "2", "--candidates", "1", "--max-tokens", "120", "--max-thinking-tokens", "1500"]);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = done(run, "resample");
        expect(record.steps).toHaveLength(2);
        // Segment 0: the drafting prompt with the opener again gives the first paragraph again: identical, refused unscored.
        const first = record.steps[0]!.candidates[0]!;
        expect(first).toMatchObject({ proposer: "resample", status: "rejected", reason: "identical", text: planSegments[0] });
        // Segment 1: the continuation after segment 0 and a blank line, up to the next blank line.
        const second = record.steps[1]!.candidates[0]!;
        expect(second).toMatchObject({ proposer: "resample", text: fresh, raw: fresh });
        expect(second.status).toBe("scored");
        const rescored = await freshScores("resample", [{ x: storyX, z: [planSegments[0]!, fresh, planSegments[2]!].join("\n\n"), y: storyY }]);
        expectClose(second.score!.clippedMeanNll, rescored[0]!.clippedMeanNll);
    });
});

describe("--prune and --draft-prompt plan", () => {
    it("drafts from the plan template, then tries z without each segment, and every removal is scored as `reer score` scores that z", async () => {
        const edit = "The paragraph is fine.\n</analyze>\n<refine>\n" + retelling + "\n</refine>";
        const run = await synthesize("prune", { initial: planScript, edit }, [storyPair("prune")],
            [...singleStep, "--prune", "--draft-prompt", "plan", "--min-thinking-tokens", "10"]);
        expect(run.result.code, run.result.stderr).toBe(0);
        const record = done(run, "prune");
        expect(record.prompts.some((id) => id.startsWith("en/plan@"))).toBe(true);
        expect(record.prompts.some((id) => id.startsWith("en/initial@"))).toBe(false);
        const removals = record.steps.filter((step) => step.pass === 2);
        // Three segments: each removal leaves two, so each is tried while three remain.
        expect(removals.length).toBeGreaterThanOrEqual(2);
        expect(removals.every((step) => step.candidates.length === 1 && step.candidates[0]!.proposer === "prune" && step.candidates[0]!.text === "")).toBe(true);
        const replay = replaySteps(record);
        expect(replay).toBeDefined();
        const states = replay!.states.filter((state) => state.step.pass === 2);
        const rescored = await freshScores("prune", states.map((state) => ({ x: storyX, z: withSegment(state.segments, state.step.segment, ""), y: storyY })));
        states.forEach((state, index) => {
            const candidate = state.step.candidates[0]!;
            expectClose(candidate.score!.clippedMeanNll, rescored[index]!.clippedMeanNll);
            // Kept exactly when it beats the best so far; the best never rises.
            expect(state.step.chosen === 0).toBe(candidate.objective! < state.objectiveBefore);
            expect(state.step.best).toBeLessThanOrEqual(state.objectiveBefore);
        });
        expect(record.z).toBe(joinSegments([...replay!.final]));
        expect(record.z.includes("\n\n\n")).toBe(false);
    });
    it("--preset small drafts from the plan template it chooses (the prompter is built after the preset), and removes", async () => {
        const edit = "The paragraph is fine.\n</analyze>\n<refine>\n" + retelling + "\n</refine>";
        const run = await synthesize("small-preset", { initial: planScript, edit }, [storyPair("small-preset")],
            [...singleStep, "--preset", "small", "--min-thinking-tokens", "10"]);
        expect(run.result.code, run.result.stderr).toBe(0);
        expect(run.result.stderr).toMatch(/adapted to the models: .*--draft-prompt plan/u);
        const record = done(run, "small-preset");
        expect(record.settings).toMatchObject({ search: { draftPrompt: "plan", prune: true } });
        expect(record.prompts.some((id) => id.startsWith("en/plan@"))).toBe(true);
        expect(record.prompts.some((id) => id.startsWith("en/initial@"))).toBe(false);
    });
});
