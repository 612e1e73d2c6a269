import { describe, expect, it } from "vitest";
import { paperSearchConfig, type SearchConfig } from "../../src/config/searchConfig.js";
import { runRefinementLoop, screenCandidate, type EditRequest, type SearchModels } from "../../src/search/RefinementLoop.js";
import type { ScoreAggregates } from "../../src/scoring/scoreAggregates.js";

const y = "The answer text that the trajectory should lead to, long enough to be realistic.";
const seg = (name: string) => `${name} is a paragraph of thinking that plans part of the answer.`;
const segments = ["A", "B", "C", "D"].map(seg);

/** A score whose clipped mean NLL is `value` (the other numbers follow from it). */
const scoreOf = (value: number): ScoreAggregates => ({ tokenCount: 10, sumLogprob: -10 * value, meanNll: value, ppl: Math.exp(value), clippedMeanNll: value });

/**
 * Scripted models: the generator answers each request from a table keyed by segment
 * index; the scorer looks the whole trajectory up in a table of values.
 */
function scripted(proposals: Record<number, string[]>, scores: (z: string) => number) {
    const requests: EditRequest[] = [];
    const scored: string[] = [];
    const models: SearchModels = {
        propose: async (request, count) => {
            requests.push(request);
            return (proposals[request.segment] ?? []).slice(0, count).map((raw) => ({ raw }));
        },
        score: async (z) => {
            scored.push(z);
            return scoreOf(scores(z));
        }
    };
    return { models, requests, scored };
}

const refine = (text: string) => `The paragraph does X.\n<refine>\n${text}\n</refine>`;
const config = (overrides: Partial<SearchConfig> = {}): SearchConfig => ({ ...paperSearchConfig, ...overrides });

/** Base score 1.0, lowered by each marker word found in z. */
const byMarkers = (markers: Record<string, number>) => (z: string) =>
    Object.entries(markers).reduce((value, [marker, gain]) => (z.includes(marker) ? value - gain : value), 1.0);

describe("refinement loop (paper preset decisions)", () => {
    it("keeps the better of two candidates when it beats the best so far", async () => {
        const { models } = scripted({
            0: [refine("A1 okay rewrite"), refine("A2 great rewrite")],
            1: [refine("B1 worse rewrite"), refine("B2 worse rewrite")]
        }, byMarkers({ A1: 0.1, A2: 0.3, B1: -0.2, B2: -0.1 }));
        const result = await runRefinementLoop(segments, y, config(), models);
        expect(result.steps[0]!.chosen).toBe(1);
        expect(result.segments[0]).toBe("A2 great rewrite");
        expect(result.steps[0]!.best).toBeCloseTo(0.7, 12);
        // Both B candidates are worse than 0.7: the original stays.
        expect(result.steps[1]!.chosen).toBeNull();
        expect(result.segments[1]).toBe(segments[1]);
        expect(result.steps[1]!.best).toBeCloseTo(0.7, 12);
        expect(result.score.clippedMeanNll).toBeCloseTo(0.7, 12);
    });

    it("keeps the original on a tie: improvement must be strict", async () => {
        const { models } = scripted({ 0: [refine("A1 same score")] }, () => 1.0);
        const result = await runRefinementLoop(segments, y, config({ candidates: 1 }), models);
        expect(result.steps.every((step) => step.chosen === null)).toBe(true);
        expect(result.z).toBe(result.z0);
    });

    it("edits segment i with the accepted earlier segments before it and the originals after it", async () => {
        const { models, requests, scored } = scripted({
            0: [refine("A1 rewrite")],
            1: [refine("B1 rewrite")]
        }, byMarkers({ A1: 0.2, B1: 0.2 }));
        await runRefinementLoop(segments, y, config({ candidates: 1, maxSteps: 2 }), models);
        expect(requests[1]!.before).toEqual(["A1 rewrite"]);
        expect(requests[1]!.current).toBe(segments[1]);
        expect(requests[1]!.after).toEqual(segments.slice(2));
        // Trajectories are scored in the normalised form: trimmed segments joined by blank lines.
        expect(scored[0]).toBe(segments.join("\n\n"));
        expect(scored[2]).toBe(["A1 rewrite", "B1 rewrite", ...segments.slice(2)].join("\n\n"));
    });

    it("stops early once the best score falls below the threshold", async () => {
        const { models, requests } = scripted({
            0: [refine("A1 small gain")],
            1: [refine("B1 big gain")],
            2: [refine("C1 never asked")]
        }, byMarkers({ A1: 0.1, B1: 0.7 }));
        const result = await runRefinementLoop(segments, y, config({ candidates: 1 }), models);
        expect(result.stopReason).toBe("below-threshold");
        expect(requests.map((request) => request.segment)).toEqual([0, 1]);
        expect(result.score.clippedMeanNll).toBeCloseTo(0.2, 12);
    });

    it("visits at most max_steps segments, left to right, in one pass", async () => {
        const many = Array.from({ length: 14 }, (_, i) => seg(`S${i}`));
        const { models, requests } = scripted({}, () => 1.0);
        const result = await runRefinementLoop(many, y, config(), models);
        expect(requests.map((request) => request.segment)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(result.steps).toHaveLength(10);
        expect(result.stopReason).toBe("max-steps");
        const short = await runRefinementLoop(segments, y, config(), scripted({}, () => 1.0).models);
        expect(short.steps).toHaveLength(4);
        expect(short.stopReason).toBe("all-segments");
    });

    it("does not refine an item whose initial score is already below the threshold", async () => {
        const { models, requests } = scripted({ 0: [refine("A1")] }, () => 0.2);
        const result = await runRefinementLoop(segments, y, config(), models);
        expect(result.stopReason).toBe("initial-below-threshold");
        expect(requests).toHaveLength(0);
        expect(result.steps).toHaveLength(0);
        expect(result.z).toBe(result.z0);
    });

    it("rejects unusable candidates with a reason and never scores them", async () => {
        const copied = y.slice(0, 80);
        const { models, scored } = scripted({
            0: ["no block here at all", refine(""), refine(segments[0]!), `<refine>\nunclosed`],
            1: [refine(`I plan: ${copied}`)]
        }, () => 1.0);
        const result = await runRefinementLoop(segments, y, config({ candidates: 4, maxSteps: 2, maxVerbatimChars: 60, acceptUnclosedRewrite: false }), models);
        expect(result.steps[0]!.candidates.map((candidate) => candidate.reason))
            .toEqual(["no-refine-block", "empty", "identical", "unclosed"]);
        expect(result.steps[1]!.candidates[0]!.reason).toBe("copies-response");
        expect(scored).toHaveLength(1); // only the initial trajectory
    });

    it("takes an unclosed last block to the end of the turn, as the reference does, and rejects it only when asked", async () => {
        const cut = "Thinking...\n<refine>\nA7 cut short by the cap";
        const run = async (accept: boolean) => {
            const models: SearchModels = {
                propose: async (_request, count) => Array.from({ length: count }, () => ({ raw: cut })),
                score: async (z) => scoreOf(byMarkers({ A7: 0.3 })(z))
            };
            return await runRefinementLoop(segments, y, config({ candidates: 1, maxSteps: 1, acceptUnclosedRewrite: accept }), models);
        };
        expect((await run(false)).steps[0]!.candidates[0]!.reason).toBe("unclosed");
        const accepted = await run(true);
        expect(accepted.segments[0]).toBe("A7 cut short by the cap");
        expect(accepted.steps[0]!.chosen).toBe(0);
    });

    it("never falls back to an earlier closed block when the last one is unclosed", async () => {
        const raw = "<refine>\nA8 finished draft\n</refine> or maybe:\n<refine>\nA9 cut sh";
        const preset = await runRefinementLoop(segments, y, config({ candidates: 1, maxSteps: 1 }), scripted({ 0: [raw] }, byMarkers({ A8: 0.1, A9: 0.2 })).models);
        expect(preset.segments[0]).toBe("A9 cut sh");
        const strict = await runRefinementLoop(segments, y, config({ candidates: 1, maxSteps: 1, acceptUnclosedRewrite: false }), scripted({ 0: [raw] }, byMarkers({ A8: 0.1, A9: 0.2 })).models);
        expect(strict.steps[0]!.candidates[0]!.reason).toBe("unclosed");
        expect(strict.segments[0]).toBe(segments[0]);
    });

    it("takes the last <refine> block of a generation", async () => {
        const raw = "<refine>\nfirst draft\n</refine> hmm, better:\n<refine>\nA9 second draft\n</refine>";
        const { models } = scripted({ 0: [raw] }, byMarkers({ A9: 0.1 }));
        const result = await runRefinementLoop(segments, y, config({ candidates: 1, maxSteps: 1 }), models);
        expect(result.segments[0]).toBe("A9 second draft");
    });

    it("requires more than min_improvement when asked", async () => {
        const { models } = scripted({ 0: [refine("A1 tiny gain")], 1: [refine("B1 real gain")] }, byMarkers({ A1: 0.01, B1: 0.2 }));
        const result = await runRefinementLoop(segments, y, config({ candidates: 1, maxSteps: 2, minImprovement: 0.05 }), models);
        expect(result.steps.map((step) => step.chosen)).toEqual([null, 0]);
    });

    it("makes further passes while they help, and stops after `patience` passes without gain", async () => {
        let calls = 0;
        const models: SearchModels = {
            propose: async (request) => {
                calls++;
                return [{ raw: refine(`${request.current} +`) }];
            },
            // Each "+" helps until there are two of them in the first segment, then nothing helps.
            score: async (z) => scoreOf(1.0 - 0.1 * Math.min(2, (z.split("\n\n")[0]!.match(/\+/g) ?? []).length))
        };
        const result = await runRefinementLoop(segments.slice(0, 1).concat(segments.slice(1, 2)), y, config({ candidates: 1, passes: 5, patience: 1 }), models);
        // pass 1 and 2 gain on segment 0; pass 3 gains nothing and ends the search.
        expect(result.steps.map((step) => [step.pass, step.segment, step.chosen])).toEqual([
            [1, 0, 0], [1, 1, null], [2, 0, 0], [2, 1, null], [3, 0, null], [3, 1, null]
        ]);
        expect(result.stopReason).toBe("patience");
        expect(calls).toBe(6);
    });

    it("never lets the best score get worse (random scores, many segments)", async () => {
        let state = 12345;
        const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
        const many = Array.from({ length: 10 }, (_, i) => seg(`R${i}`));
        const models: SearchModels = {
            propose: async (request, count) => Array.from({ length: count }, (_, k) => ({ raw: refine(`${request.current} v${k} ${random()}`) })),
            score: async () => scoreOf(0.5 + random())
        };
        const result = await runRefinementLoop(many, y, config({ candidates: 3, stopThreshold: 0 }), models);
        let previous = result.objective0;
        for (const step of result.steps) {
            expect(step.best).toBeLessThanOrEqual(previous);
            const scoredObjectives = step.candidates.flatMap((candidate) => (candidate.objective == null ? [] : [candidate.objective]));
            if (step.chosen != null)
                expect(step.best).toBe(Math.min(...scoredObjectives));
            previous = step.best;
        }
        expect(result.objective).toBe(previous);
    });

    describe("--prune", () => {
        // B and D hurt y's predictability, A and C help it: scored by marker presence.
        const hurtful = (z: string) => 1.0 + (z.includes("B is") ? 0.2 : 0) + (z.includes("D is") ? 0.1 : 0) - (z.includes("A is") ? 0.3 : 0) - (z.includes("C is") ? 0.1 : 0);

        it("removes exactly the segments whose removal lowers the objective, left to right, after the passes", async () => {
            const { models, scored } = scripted({}, hurtful);
            const result = await runRefinementLoop(segments, y, config({ prune: true }), models);
            expect(result.segments).toEqual([segments[0], segments[2]]);
            expect(result.z).toBe([segments[0], segments[2]].join("\n\n"));
            expect(result.objective).toBeCloseTo(0.6, 12);
            // The pass proposes nothing (no proposals scripted); then every removal is tried once.
            const removals = result.steps.filter((step) => step.pass === 2);
            expect(removals.map((step) => [step.segment, step.chosen])).toEqual([[0, null], [1, 0], [2, null], [3, 0]]);
            expect(removals.every((step) => step.candidates.length === 1 && step.candidates[0]!.proposer === "prune" && step.candidates[0]!.text === "")).toBe(true);
            // Every scored z is a normalised trajectory: no empty paragraph where a segment was removed.
            expect(scored.every((z) => !z.includes("\n\n\n"))).toBe(true);
        });

        it("never leaves fewer than two segments, nor a z that is not long enough", async () => {
            // Every removal helps: the first two are made, and then two segments remain.
            const { models } = scripted({}, (z) => z.split("\n\n").length * 0.1);
            const result = await runRefinementLoop(segments, y, config({ prune: true }), models);
            expect(result.segments).toEqual(segments.slice(2));
            // A z of three segments is too short: nothing may be removed.
            const short: SearchModels = { ...models, longEnough: (z) => z.split("\n\n").length > 3 };
            const kept = await runRefinementLoop(segments, y, config({ prune: true }), short);
            expect(kept.segments).toEqual(segments);
            expect(kept.steps.filter((step) => step.pass === 2)).toHaveLength(0);
        });

        it("is off in the paper preset", async () => {
            const { models } = scripted({}, hurtful);
            const result = await runRefinementLoop(segments, y, config(), models);
            expect(result.segments).toEqual(segments);
            expect(result.steps.some((step) => step.pass === 2)).toBe(false);
        });
    });
});

describe("screening a rewrite that loops", () => {
    const loop = "She faced the other on her left, and she faced the other on her right, and she faced the other on her left, and she faced the other on her right.";
    const plain = "She stands on the log and will not step back, and neither will the other goat, so both of them fall.";

    it("refuses it as repetitive under --max-draft-repetition, unscored, and keeps a plain rewrite", () => {
        const limits = { ...paperSearchConfig, maxDraftRepetition: 0.5 };
        // 28 word 4-grams, 12 distinct: 57% repeat an earlier one.
        expect(screenCandidate({ raw: refine(loop) }, "old", y, limits)).toMatchObject({ status: "rejected", reason: "repetitive", text: loop });
        expect(screenCandidate({ raw: refine(plain) }, "old", y, limits)).toMatchObject({ status: "scored", text: plain });
    });

    it("takes it in the paper preset, which has no such check", () => {
        expect(screenCandidate({ raw: refine(loop) }, "old", y, paperSearchConfig)).toMatchObject({ status: "scored" });
    });
});
