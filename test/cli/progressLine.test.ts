// The line --progress log prints for each item names the objective the search minimised
// and gives its values, not the clipped mean NLL whatever the objective: under the mean
// NLL an item whose y became more predictable can have a higher clipped mean NLL.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgressReporter } from "../../src/cli/progressReporter.js";
import { synthesisConfigSchema } from "../../src/config/synthesisConfig.js";
import { doneRecord, score } from "../support/traceFixtures.js";

afterEach(() => {
    vi.restoreAllMocks();
});

function itemLine(record: ReturnType<typeof doneRecord>): string {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
    });
    createProgressReporter("log", synthesisConfigSchema.parse({})).onEvent({ type: "item", record, done: 1, total: 1, generatedTokens: 0 });
    vi.restoreAllMocks();
    return lines.join("");
}

describe("the per-item progress line", () => {
    it("gives the objective the search minimised, by name", () => {
        const record = doneRecord({
            objective: "meanNll",
            objective0: 2.5928745,
            objectiveFinal: 2.5723121,
            score0: score(1.3546717, { meanNll: 2.5928745 }),
            score: score(1.3630428, { meanNll: 2.5723121 })
        });
        const line = itemLine(record);
        expect(line).toContain("done meanNll 2.5929 -> 2.5723");
        expect(line).not.toContain("1.3547");
    });

    it("gives the clipped mean NLL under the paper's objective", () => {
        expect(itemLine(doneRecord({ objective: "clippedMeanNll" }))).toContain("done clippedMeanNll 1.5000 -> 1.2000");
    });
});
