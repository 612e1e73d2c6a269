// Builds valid trace records for tests: a small done record by default, any field
// overridden. Every fixture goes through traceRecordSchema.parse, so a test can never
// pass on a record that `reer synthesize` could not have written.
import { traceRecordSchema, type DoneRecord, type TraceRecord, type TraceScore } from "../../src/trace/traceRecordSchema.js";

export function score(clippedMeanNll: number, ppl = Math.exp(clippedMeanNll)): TraceScore {
    return { clippedMeanNll, meanNll: clippedMeanNll, ppl, tokenCount: 20, sumLogprob: -clippedMeanNll * 20 };
}

const model = { path: "/models/test.gguf", name: "test", sizeBytes: 1, headSha256: "0".repeat(64), architecture: "llama" };

/** Two segments of at least 100 characters, so segmentText splits it as the search did. */
export const defaultZ =
    "First I consider what the reader needs from the story and which details matter most for a young child at bedtime.\n\n" +
    "Then I settle the order of events, so that the ending follows from the beginning in a calm and clear way.";

export function makeTraceRecord(overrides: Partial<TraceRecord> & Record<string, unknown> = {}): TraceRecord {
    const id = typeof overrides.id === "string" ? overrides.id : "item-1";
    return traceRecordSchema.parse({
        id,
        key: id,
        line: 1,
        status: "done",
        x: "Write a short story about a lighthouse keeper.",
        y: "Old Tomas kept the light burning through every storm, and the boats came home safe.",
        z0: defaultZ,
        z: defaultZ,
        score0: score(1.5),
        score: score(1.2),
        objective: "clippedMeanNll",
        objective0: 1.5,
        objectiveFinal: 1.2,
        steps: [],
        stopReason: "all-segments",
        segments: 2,
        initial: { opener: "First", raw: defaultZ.slice(5) + "\n</think>", tokensGenerated: 60, stop: "stop-string", closed: true },
        models: { generator: model, scorer: model },
        prompts: ["en/initial@000000000000"],
        seed: 0,
        configHash: "0000000000000000",
        tokens: { generated: 100, scoringEvaluated: 80, scoringReused: 20 },
        timings: { totalMs: 1000, generationMs: 800, scoringMs: 200 },
        reerVersion: "0.1.0",
        ...overrides
    });
}

/** The record as a done one; fails the test when it is not. */
export function asDone(record: TraceRecord): DoneRecord {
    if (record.status !== "done")
        throw new Error(`expected a done record, got ${record.status}`);
    return record;
}
