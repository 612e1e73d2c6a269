// Trace records for `reer evaluate` tests: short stories in words the tiny stories260K
// model knows, each with an initial and a final trajectory that differ, built through
// traceFixtures so every record passes the published schema.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { DoneRecord, TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { doneRecord, failedRecord, skippedRecord } from "./traceFixtures.js";

export type StoryItem = { id: string; x: string; y: string; z0: string; z: string };

export const storyItems: StoryItem[] = [
    {
        id: "cat",
        x: "Tell a story about a cat.",
        y: "Once upon a time there was a little cat. She liked to play in the sun with her red ball.",
        z0: "The cat is big. The dog is sad.",
        z: "The story is about a little cat who plays in the sun with her ball."
    },
    {
        id: "boat",
        x: "Write a story about a boy and a boat.",
        y: "Tom had a small boat. One day he took it to the pond and it went very fast. Tom was happy.",
        z0: "A boy. A boat.",
        z: "Tom is a boy with a small boat. He goes to the pond and is happy when the boat is fast."
    },
    {
        id: "tree",
        x: "Tell me a story about a big tree.",
        y: "There was a big tree in the park. Birds lived in it and sang every morning. The kids loved the tree.",
        z0: "The tree is green and tall, and the sky is blue.",
        z: "A big tree in the park where birds sing in the morning, and the kids love it."
    }
];

/** The sha256 of a file's first MiB, as model identities record it (computed here, independently of src/). */
export function headSha256(file: string): string {
    const length = Math.min(1 << 20, statSync(file).size);
    const buffer = Buffer.alloc(length);
    const handle = openSync(file, "r");
    try {
        readSync(handle, buffer, 0, length, 0);
    } finally {
        closeSync(handle);
    }
    return createHash("sha256").update(buffer).digest("hex");
}

/** A model identity as a run that scored with `file` records it. */
export function scorerIdentity(file: string) {
    return { path: path.resolve(file), name: path.basename(file), sizeBytes: statSync(file).size, headSha256: headSha256(file), architecture: "llama" };
}

/** A done record of a story item, scored by `scorer` (default: the fixtures' made-up model) with the plain layout. */
export function storyRecord(item: StoryItem, overrides: Partial<DoneRecord> = {}, scorer?: string): DoneRecord {
    const base = doneRecord({ id: item.id });
    return doneRecord({
        id: item.id, x: item.x, y: item.y, z0: item.z0, z: item.z,
        scorerTemplate: "none",
        ...(scorer == null ? {} : { models: { generator: base.models.generator, scorer: scorerIdentity(scorer) } }),
        ...overrides
    });
}

/** Three done stories, then one skipped and one failed record: what a small run leaves. */
export function storyTrace(scorer?: string): TraceRecord[] {
    const models = scorer == null ? {} : { models: { generator: doneRecord().models.generator, scorer: scorerIdentity(scorer) } };
    return [
        ...storyItems.map((item) => storyRecord(item, {}, scorer)),
        skippedRecord({ id: "short", line: 4, reason: "initial trajectory has a single segment", scorerTemplate: "none", ...models }),
        failedRecord({ id: "broken", line: 5, error: "Error: decode failed", scorerTemplate: "none", ...models })
    ];
}
