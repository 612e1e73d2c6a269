import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TraceStore } from "../../src/trace/TraceStore.js";
import { doneRecord, failedRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-store-"));
const line = (record: object) => JSON.stringify(record) + "\n";

describe("TraceStore", () => {
    it("lists what the file holds and appends whole lines", async () => {
        const file = path.join(dir, "plain.jsonl");
        writeFileSync(file, line(doneRecord({ id: "a", key: "a" })));
        const opened = await TraceStore.open(file, { retryFailed: false });
        opened.store.append(doneRecord({ id: "b", key: "b" }));
        opened.store.close();
        expect(opened.existing.map((item) => [item.key, item.status])).toEqual([["a", "done"]]);
        expect(opened.repairedTornLine).toBe(false);
        expect(readFileSync(file, "utf8").split("\n").filter((text) => text !== "").map((text) => JSON.parse(text).id)).toEqual(["a", "b"]);
    });

    it("removes a line torn by a kill before appending, so the next record starts on its own line", async () => {
        const file = path.join(dir, "torn.jsonl");
        const whole = line(doneRecord({ id: "a", key: "a" }));
        writeFileSync(file, whole + line(doneRecord({ id: "b", key: "b" })).slice(0, 40));
        const opened = await TraceStore.open(file, { retryFailed: false });
        opened.store.append(doneRecord({ id: "c", key: "c" }));
        opened.store.close();
        expect(opened.repairedTornLine).toBe(true);
        expect(readFileSync(file, "utf8")).toBe(whole + line(doneRecord({ id: "c", key: "c" })));
    });

    it("ends a whole last line that lacks its newline instead of gluing the next record to it", async () => {
        const file = path.join(dir, "no-newline.jsonl");
        const first = JSON.stringify(doneRecord({ id: "a", key: "a" }));
        writeFileSync(file, first);
        const opened = await TraceStore.open(file, { retryFailed: false });
        opened.store.append(doneRecord({ id: "b", key: "b" }));
        opened.store.close();
        expect(readFileSync(file, "utf8")).toBe(first + "\n" + line(doneRecord({ id: "b", key: "b" })));
    });

    it("drops failed items when they are to be retried, and keeps them otherwise", async () => {
        const content = line(doneRecord({ id: "a", key: "a" })) + line(failedRecord({ id: "f", key: "f" }));
        const kept = path.join(dir, "kept.jsonl");
        writeFileSync(kept, content);
        const keeping = await TraceStore.open(kept, { retryFailed: false });
        keeping.store.close();
        expect(keeping.existing.map((item) => item.key)).toEqual(["a", "f"]);
        expect(readFileSync(kept, "utf8")).toBe(content);

        const retried = path.join(dir, "retried.jsonl");
        writeFileSync(retried, content);
        const retrying = await TraceStore.open(retried, { retryFailed: true });
        retrying.store.close();
        expect(retrying.droppedFailed).toBe(1);
        expect(readFileSync(retried, "utf8")).toBe(line(doneRecord({ id: "a", key: "a" })));
    });

    it("refuses a file that is not a trace, naming the line", async () => {
        const file = path.join(dir, "bad.jsonl");
        writeFileSync(file, line(doneRecord({ id: "a", key: "a" })) + "{\"hello\": 1}\n");
        await expect(TraceStore.open(file, { retryFailed: false })).rejects.toMatchObject({ code: "TRACE_INVALID", message: expect.stringMatching(/line 2/u) });
    });
});
