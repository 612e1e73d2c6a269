import { createHash } from "node:crypto";
import path from "node:path";
import { ReerError } from "../errors/ReerError.js";

/** This process's part of the input: items whose key hashes to `index` modulo `count`. */
export type ShardSpec = { index: number; count: number };

/**
 * Reads `--shard i/N` (0-based i), or `auto`: SLURM job arrays
 * (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT) or Kubernetes
 * Indexed Jobs (JOB_COMPLETION_INDEX of REER_SHARD_COUNT, which the manifest sets to
 * its completions, since Kubernetes does not export the count).
 */
export function parseShardSpec(spec: string, env: NodeJS.ProcessEnv = process.env): ShardSpec {
    if (spec === "auto") {
        if (env.SLURM_ARRAY_TASK_ID != null && env.SLURM_ARRAY_TASK_COUNT != null) {
            const index = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
            return checked(index, Number(env.SLURM_ARRAY_TASK_COUNT), "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT");
        }
        if (env.JOB_COMPLETION_INDEX != null) {
            if (env.REER_SHARD_COUNT == null)
                throw new ReerError("SHARD_COUNT_MISSING", "JOB_COMPLETION_INDEX is set but REER_SHARD_COUNT is not.",
                    "Set REER_SHARD_COUNT to the Job's .spec.completions in the pod template.");
            return checked(Number(env.JOB_COMPLETION_INDEX), Number(env.REER_SHARD_COUNT), "JOB_COMPLETION_INDEX/REER_SHARD_COUNT");
        }
        throw new ReerError("SHARD_UNKNOWN", "--shard auto found no SLURM array or Kubernetes Indexed Job variables.",
            "Pass --shard i/N explicitly (0-based), or run under a SLURM array (--array=0-N) or an Indexed Job.");
    }
    const match = /^(\d+)\/(\d+)$/.exec(spec.trim());
    if (match == null)
        throw new ReerError("SHARD_INVALID", `--shard ${JSON.stringify(spec)} is not of the form i/N: two whole numbers, 0 <= i < N.`,
            "Use for example --shard 0/4 ... --shard 3/4, or --shard auto.");
    return checked(Number(match[1]), Number(match[2]), "--shard");
}

/** The shard, or why `index` of `count` (read from `source`) is none: a count of at least 1, an index from 0 to count - 1. */
function checked(index: number, count: number, source: string): ShardSpec {
    if (!Number.isInteger(count) || count < 1)
        throw new ReerError("SHARD_INVALID", `${source} gives ${Number.isNaN(count) ? "no number as" : count} the shard count; it must be at least 1.`,
            "Use for example --shard 0/4 ... --shard 3/4, or --shard auto.");
    if (!Number.isInteger(index) || index < 0 || index >= count)
        throw new ReerError("SHARD_INVALID", `${source} gives shard ${Number.isNaN(index) ? "(not a number)" : index} of ${count}; ` +
            (count === 1 ? "with 1 shard the index must be 0." : `the index must be 0..${count - 1} (shards are numbered from 0).`));
    return { index, count };
}

/** Stable across machines and runs: depends only on the item's key and the shard count. */
export function shardOfKey(key: string, count: number): number {
    return createHash("sha256").update(key).digest().readUInt32BE(0) % count;
}

/** Shard outputs sit next to the requested output: traces.jsonl -> traces.shard-2-of-8.jsonl. */
export function shardOutputPath(output: string, shard: ShardSpec): string {
    const extension = path.extname(output) || ".jsonl";
    const base = output.slice(0, output.length - path.extname(output).length);
    return `${base}.shard-${shard.index}-of-${shard.count}${extension}`;
}

/** Every shard file of an output, whatever shard count produced it. */
export function isShardOutputOf(output: string, candidate: string): boolean {
    const extension = path.extname(output) || ".jsonl";
    const base = path.basename(output.slice(0, output.length - path.extname(output).length));
    const name = path.basename(candidate);
    return path.dirname(path.resolve(candidate)) === path.dirname(path.resolve(output)) &&
        name.startsWith(`${base}.shard-`) && name.endsWith(extension) &&
        /^\.shard-\d+-of-\d+$/.test(name.slice(base.length, name.length - extension.length));
}
