// --dry-run runs every check a real run makes before loading a model, with the same
// message and exit code. The model named here does not exist: a check that came after
// loading would end with a model error instead of its own.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { runCli } from "../support/runCli.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-dry-"));
const noModel = path.join(dir, "no-such-model.gguf");
const input = path.join(dir, "pairs.jsonl");
writeFileSync(input, JSON.stringify({ id: "one", prompt: "Tell a story.", response: "Once upon a time." }) + "\n");
const underScheduler = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX"].some((name) => process.env[name] != null);

describe("--shard is checked by --dry-run as by a real run", () => {
    const cases = [
        ["3/2", "--shard gives shard 3 of 2; the index must be 0..1 (shards are numbered from 0)."],
        ["2/2", "--shard gives shard 2 of 2; the index must be 0..1 (shards are numbered from 0)."],
        ["1/1", "--shard gives shard 1 of 1; with 1 shard the index must be 0."],
        ["1/0", "--shard gives 0 the shard count; it must be at least 1."],
        ["-1/2", "--shard \"-1/2\" is not of the form i/N: two whole numbers, 0 <= i < N."],
        ["1-of-2", "--shard \"1-of-2\" is not of the form i/N: two whole numbers, 0 <= i < N."]
    ] as const;

    for (const [spec, message] of cases) {
        it(`refuses --shard ${spec}`, async () => {
            const args = ["synthesize", input, "-o", path.join(dir, "out.jsonl"), "--model", noModel, `--shard=${spec}`];
            const [dry, real] = await Promise.all([runCli([...args, "--dry-run"]), runCli(args)]);
            for (const result of [dry, real]) {
                expect(result.code).toBe(ExitCode.usage);
                expect(result.stderr.split("\n")[0]).toBe(`reer: ${message}`);
                expect(result.stderr).not.toContain("..-1");
            }
            expect(dry.stderr).toBe(real.stderr);
            expect(dry.stdout).toBe("");
        });
    }

    it.skipIf(underScheduler)("refuses --shard auto with no scheduler variables", async () => {
        const args = ["synthesize", input, "-o", path.join(dir, "out.jsonl"), "--model", noModel, "--shard", "auto"];
        const [dry, real] = await Promise.all([runCli([...args, "--dry-run"]), runCli(args)]);
        for (const result of [dry, real]) {
            expect(result.code).toBe(ExitCode.usage);
            expect(result.stderr).toContain("reer: --shard auto found no SLURM array or Kubernetes Indexed Job variables.");
        }
    });

    it("refuses the variables of a SLURM array whose task is outside it", async () => {
        const env = { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_COUNT: "4" };
        const result = await runCli(["synthesize", input, "-o", path.join(dir, "out.jsonl"), "--model", noModel, "--shard", "auto", "--dry-run"], { env });
        expect(result.code).toBe(ExitCode.usage);
        expect(result.stderr.split("\n")[0]).toBe("reer: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT gives shard 5 of 4; the index must be 0..3 (shards are numbered from 0).");
    });
});
