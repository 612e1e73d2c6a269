#!/usr/bin/env node
// The pairs the GPU check benchmarks on: reer's examples (examples/pairs.jsonl) repeated under
// new ids until there are --count of them, so that 32 items can be in flight at once. Each id
// seeds its own sampling, so the copies generate different text.
//
//   node scripts/gpu-check/makePairs.mjs --out pairs.jsonl [--count 32] [--response-chars N]
//
// --response-chars cuts each response at the last blank line (else space) before N characters:
// shorter answers to score, for a quick run on a small CPU.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: args } = parseArgs({
    options: {
        out: { type: "string" },
        count: { type: "string", default: "32" },
        "response-chars": { type: "string" },
        examples: { type: "string", default: path.join(root, "examples", "pairs.jsonl") }
    }
});
if (args.out == null) {
    console.error("usage: makePairs.mjs --out FILE [--count 32] [--response-chars N]");
    process.exit(2);
}
const count = Number(args.count);
const limit = args["response-chars"] == null ? Infinity : Number(args["response-chars"]);
if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${args.count}`);

const cut = (text) => {
    if (text.length <= limit) return text;
    const head = text.slice(0, limit);
    const at = Math.max(head.lastIndexOf("\n\n"), head.lastIndexOf(" "));
    return (at > limit / 2 ? head.slice(0, at) : head).trimEnd();
};
const examples = readFileSync(args.examples, "utf8").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
const lines = Array.from({ length: count }, (_, index) => {
    const example = examples[index % examples.length];
    return JSON.stringify({ id: `gpu-check-${String(index + 1).padStart(2, "0")}-${example.id}`, prompt: example.prompt, response: cut(example.response) });
});
writeFileSync(args.out, `${lines.join("\n")}\n`);
console.log(`${args.out}: ${count} pairs from ${examples.length} examples${Number.isFinite(limit) ? `, responses cut to ${limit} characters` : ""}`);
