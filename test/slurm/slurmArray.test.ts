// examples/slurm/reer-array.sbatch on a real one-node SLURM cluster: a 3-task array and
// `reer merge` equal an unsharded run, also after a task is cancelled with scancel mid-run
// and the array is resubmitted.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardOfKey } from "../../src/sharding/ShardSpec.js";
import { traceRecordSchema, type TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { loadSamplePairs } from "../support/pairs.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { promptsWithParagraphOpener } from "../support/testPrompts.js";
import { clusterEnv, repoRoot, run, slurmMissing, staleBuild, startCluster, stopCluster, waitFor, waitForJobEnd } from "./localCluster.js";

const shards = 3;
const taskIds = Array.from({ length: shards }, (_, task) => task);
const allCompleted = taskIds.map((task) => ({ task, state: "COMPLETED", exitCode: 0 }));
// Nothing is written when the tier skips.
const dir = slurmMissing ? "" : mkdtempSync(path.join(tmpdir(), "reer-slurm-"));
const cluster = path.join(dir, "cluster");
const logs = path.join(dir, "logs");
const input = path.join(dir, "in.jsonl");
// 9 pairs, about 2 s each for the tiny model on one thread. 5 of them hash to shard 0, so
// its task runs long enough to be cancelled in the middle.
const picked = loadSamplePairs().slice(0, 9);
const synthesizeOptions = ["--generator-template", "none", "--preset", "paper", "--template", "none", "--threads", "1",
    "--max-tokens", "120", "--max-steps", "2", "--min-thinking-tokens", "20", "--seed", "11", "--prompts", slurmMissing ? "" : promptsWithParagraphOpener()];
const model = requireAsset(stories260kPath);
const cli = path.join(repoRoot, "dist", "cli", "cli.js");

const read = (file: string): TraceRecord[] =>
    readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => traceRecordSchema.parse(JSON.parse(line)));
// Timings are the only fields that differ between runs.
const comparable = (records: TraceRecord[]) => new Map(records.map(({ timings: _t, ...rest }) => [rest.id, rest]));
const shardFile = (output: string, index: number) => output.replace(/\.jsonl$/u, `.shard-${index}-of-${shards}.jsonl`);
const completeLines = (file: string) => existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(0, -1).length : 0;
const taskLogs = () => existsSync(logs)
    ? readdirSync(logs).map((name) => `--- ${name}\n${readFileSync(path.join(logs, name), "utf8").slice(-2000)}`).join("\n")
    : "(no task logs)";

/** Submits the example script unchanged: the run is set by environment variables and sbatch options. */
async function submit(output: string): Promise<string> {
    const env = {
        ...clusterEnv(cluster),
        REER_INPUT: input,
        REER_MODEL: model,
        REER_OUTPUT: output,
        REER_ARGS: synthesizeOptions.join(" ")
    };
    const result = await run("sbatch", ["--parsable", `--array=0-${shards - 1}`, "--cpus-per-task=1", "--mem=1G", "--time=5",
        `--output=${path.join(logs, "reer-%A_%a.log")}`, `--chdir=${repoRoot}`, path.join(repoRoot, "examples", "slurm", "reer-array.sbatch")],
    { timeoutMs: 30_000, env, cwd: repoRoot });
    expect(result.code, result.stderr).toBe(0);
    const jobId = result.stdout.trim().split(";")[0]!;
    expect(jobId).toMatch(/^\d+$/u);
    return jobId;
}

async function merge(output: string): Promise<TraceRecord[]> {
    const merged = output.replace(/\.jsonl$/u, ".merged.jsonl");
    const result = await run(process.execPath, [cli, "merge", input, output, "-o", merged], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`${picked.length} of ${picked.length} item(s)`);
    return read(merged);
}

const jobEnd = (jobId: string) => waitForJobEnd(jobId, clusterEnv(cluster), 150_000, taskLogs);

describe.skipIf(slurmMissing)("reer-array.sbatch on a one-node SLURM cluster", () => {
    let expected: ReturnType<typeof comparable>;
    let expectedPerShard: number[];

    beforeAll(async () => {
        const stale = staleBuild();
        if (stale != null)
            throw new Error(`dist/ is older than ${stale}; the job script runs the built CLI: run \`npm run build\``);
        // munged serves its socket only from folders every user can enter.
        chmodSync(dir, 0o755);
        writeFileSync(input, picked.map((pair) => JSON.stringify({ id: pair.id, prompt: pair.prompt, response: pair.response })).join("\n") + "\n");
        mkdirSync(logs);
        await startCluster(cluster);

        const whole = path.join(dir, "whole.jsonl");
        const result = await run(process.execPath, [cli, "synthesize", input, "-o", whole, "--model", model, ...synthesizeOptions, "-q"], { timeoutMs: 150_000 });
        expect(result.code, result.stderr).toBe(0);
        const records = read(whole);
        expected = comparable(records);
        expectedPerShard = Array.from({ length: shards }, (_, index) => records.filter((record) => shardOfKey(record.key, shards) === index).length);
    }, 240_000);

    afterAll(async () => {
        await stopCluster(cluster);
        rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it("a 3-task array and reer merge equal an unsharded run", async () => {
        const output = path.join(dir, "array", "traces.jsonl");
        const jobId = await submit(output);
        expect(await jobEnd(jobId), taskLogs()).toEqual(allCompleted);

        // One trace file per task (side files such as status files aside).
        expect(readdirSync(path.dirname(output)).filter((name) => name.endsWith(".jsonl")).sort()).toEqual(taskIds.map((index) => path.basename(shardFile(output, index))));
        for (let index = 0; index < shards; index++) {
            const records = read(shardFile(output, index));
            expect(records.length).toBe(expectedPerShard[index]);
            expect(records.every((record) => shardOfKey(record.key, shards) === index)).toBe(true);
        }

        const merged = await merge(output);
        expect(merged.map((record) => record.id)).toEqual(picked.map((pair) => pair.id));
        expect(comparable(merged)).toEqual(expected);
    }, 240_000);

    it("a task cancelled mid-run resumes on resubmit: nothing lost, nothing duplicated", async () => {
        const output = path.join(dir, "cancelled", "traces.jsonl");
        // The largest shard, cancelled after its first item, with more still to do.
        const target = expectedPerShard.indexOf(Math.max(...expectedPerShard));
        expect(expectedPerShard[target]).toBeGreaterThanOrEqual(3);
        const jobId = await submit(output);
        const file = shardFile(output, target);
        await waitFor(async () => completeLines(file) >= 1 ? true : undefined, 120_000,
            () => `${file} has no finished item yet\n${taskLogs()}`);
        const cancel = await run("scancel", [`${jobId}_${target}`], { timeoutMs: 15_000, env: clusterEnv(cluster) });
        expect(cancel.code, cancel.stderr).toBe(0);

        // reer stops on scancel's SIGTERM within a decode step and exits 143, keeping what it finished.
        expect(await jobEnd(jobId), taskLogs()).toEqual(allCompleted.map((outcome) =>
            outcome.task === target ? { ...outcome, state: "CANCELLED", exitCode: 143 } : outcome));
        const kept = readFileSync(file, "utf8");
        const keptRecords = read(file);
        expect(keptRecords.length).toBeGreaterThanOrEqual(1);
        expect(keptRecords.length).toBeLessThan(expectedPerShard[target]!);

        expect(await jobEnd(await submit(output)), taskLogs()).toEqual(allCompleted);
        // The finished items were kept as written, not redone.
        expect(readFileSync(file, "utf8").startsWith(kept)).toBe(true);
        const all = taskIds.flatMap((index) => read(shardFile(output, index)));
        expect(all.map((record) => record.id).sort()).toEqual(picked.map((pair) => pair.id).sort());

        const merged = await merge(output);
        expect(merged.map((record) => record.id)).toEqual(picked.map((pair) => pair.id));
        expect(comparable(merged)).toEqual(expected);
    }, 400_000);
});
