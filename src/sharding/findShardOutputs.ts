import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { isShardOutputOf } from "./ShardSpec.js";

/** The shard files of `output` (any shard count) and the unsharded file itself, when present. */
export function findJobOutputs(output: string): string[] {
    const dir = path.dirname(path.resolve(output));
    const shardFiles = existsSync(dir)
        ? readdirSync(dir).map((name) => path.join(dir, name)).filter((file) => isShardOutputOf(output, file)).sort()
        : [];
    return existsSync(output) ? [path.resolve(output), ...shardFiles] : shardFiles;
}
