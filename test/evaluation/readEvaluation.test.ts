import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors/inputErrors.js";
import { parseEvaluation, readEvaluationFile } from "../../src/evaluation/readEvaluation.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-evaluation-"));

/** An evaluation as `reer evaluate --json` writes one, written out by hand. */
function evaluation() {
    const item = (id: string, ppl_final: number) => ({
        id, ppl_empty: 9, ppl_initial: 8, ppl_final, objective_empty: 1.2, objective_initial: 1.1, objective_final: 1.0
    });
    return {
        items: [item("a", 6), item("b", 8)],
        summary: {
            items: 2, improved_vs_initial: 0.5, improved_vs_empty: 1, median_drop_vs_initial: 0.125, median_drop_vs_empty: 0.222,
            scorer: { path: "/models/judge.gguf", name: "judge", sizeBytes: 10, headSha256: "ab".repeat(32), architecture: "llama" },
            held_out: true, template: "none", clip_floor: -2, skipped_records: [], duplicate_ids: [], stopped: false
        }
    };
}

function problemOf(text: string): InvalidInputError {
    try {
        parseEvaluation(text, "eval.json");
    } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        return error as InvalidInputError;
    }
    throw new Error("the evaluation was accepted");
}

describe("reading an evaluation back", () => {
    it("accepts what evaluate writes, extra fields included", () => {
        const file = path.join(dir, "ok.json");
        const value = evaluation();
        writeFileSync(file, JSON.stringify({ ...value, items: value.items.map((item) => ({ ...item, extra: true })) }, null, 2));
        const read = readEvaluationFile(file);
        expect(read.items.map((item) => item.ppl_final)).toEqual([6, 8]);
        expect(read.summary.template).toBe("none");
    });

    it("names the field and the item of a bad value", () => {
        const value = evaluation();
        (value.items[1] as Record<string, unknown>).ppl_final = "8";
        const problem = problemOf(JSON.stringify(value));
        expect(problem.field).toBe("items.1.ppl_final");
        expect(problem.message).toContain(`eval.json (field "items.1.ppl_final")`);
        expect(problem.message).toContain(`(item "b")`);
        expect(problem.hint).toContain("reer evaluate TRACE --json -o FILE");
    });

    it("names a missing summary field, and a summary whose count disagrees with its items", () => {
        const missing = evaluation();
        delete (missing.summary as Partial<typeof missing.summary>).median_drop_vs_empty;
        expect(problemOf(JSON.stringify(missing)).field).toBe("summary.median_drop_vs_empty");
        const miscounted = evaluation();
        miscounted.summary.items = 3;
        expect(problemOf(JSON.stringify(miscounted)).field).toBe("summary.items");
        const share = evaluation();
        share.summary.improved_vs_initial = 1.5;
        expect(problemOf(JSON.stringify(share)).field).toBe("summary.improved_vs_initial");
    });

    it("gives the line of a JSON syntax error", () => {
        const text = ["{", "  \"items\": [],", "  \"summary\": {\"items\": 0,,}", "}"].join("\n");
        const problem = problemOf(text);
        expect(problem.line).toBe(3);
        expect(problem.message).toMatch(/^eval\.json \(line 3\): not valid JSON/);
    });

    it("says when the file cannot be read", () => {
        expect(() => readEvaluationFile(path.join(dir, "missing.json"))).toThrow(/Cannot read .*missing\.json/);
    });
});
