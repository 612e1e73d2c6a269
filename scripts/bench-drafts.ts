/**
 * What the sampling settings do to drafts that loop: draft every shared pair once per
 * configuration (the small-model preset's drafting, with no redraft, no loop check and no
 * search after the draft) and count the drafts whose word 4-grams repeat earlier ones more
 * than --threshold of the time, the measure --max-draft-repetition refuses. One Markdown
 * table with its JSON beside it.
 *
 *   npm run bench:drafts -- [--limit 8] [--configs T0.6+DRY0.8,T0.6,...] [--jobs 2] [--threads 1]
 *                           [--model smollm2-135m-instruct] [--max-tokens 512] [--seed 1] [--out bench-results/drafts]
 *
 * Every run resumes from its output in --out. --jobs runs that many configurations at once
 * (each with --threads threads).
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LOOP_CJK_N, LOOP_WORD_N, repetitionRatio } from "../src/text/repetitionRatio.js";
import { readTraceFile } from "../src/trace/readTrace.js";
import type { InitialDraft, TraceRecord } from "../src/trace/traceRecordSchema.js";
import { distribution } from "../src/util/distribution.js";
import { runReer, sharedPairsPath, writeBenchInput } from "./bench/harness.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** One draft per item and nothing after it: every draft is kept, whatever it repeats. */
const DRAFT_ONLY = ["--preset", "small", "--initial-drafts", "1", "--redrafts", "0", "--max-draft-repetition", "1", "--max-steps", "0"];
/** Sampling settings compared, as flags over the small-model preset (temperature 0.6, DRY 0.8). */
const CONFIGURATIONS: Record<string, string[]> = {
    "T0.6+DRY0.8": [],
    "T0.6": ["--dry", "0"],
    "T0.6+penalty1.1": ["--dry", "0", "--repeat-penalty", "1.1"],
    "T0.8": ["--temperature", "0.8", "--dry", "0"],
    "T0.8+DRY0.8": ["--temperature", "0.8"],
    "T0.8+penalty1.1": ["--temperature", "0.8", "--dry", "0", "--repeat-penalty", "1.1"]
};

const { values: args } = parseArgs({
    options: {
        limit: { type: "string" },
        configs: { type: "string", default: Object.keys(CONFIGURATIONS).join(",") },
        jobs: { type: "string", default: "1" },
        threads: { type: "string", default: "1" },
        model: { type: "string", default: "smollm2-135m-instruct" },
        "max-tokens": { type: "string", default: "512" },
        seed: { type: "string", default: "1" },
        threshold: { type: "string", default: "0.5" },
        out: { type: "string", default: path.join(repoRoot, "bench-results", "drafts") },
        pairs: { type: "string", default: sharedPairsPath() }
    }
});

type DraftRow = { configuration: string; flags: string[]; drafts: number; degenerate: number; medianRepetition: number | null; atTokenCap: number; skipped: number };

/** Every draft an item made (its initial draft when it made only one). */
function draftsOf(record: TraceRecord): InitialDraft[] {
    const drafts = record.status === "failed" ? undefined : record.drafts;
    return drafts ?? (record.initial == null ? [] : [record.initial]);
}

function draftRow(configuration: string, records: TraceRecord[], threshold: number): DraftRow {
    const drafts = records.flatMap(draftsOf);
    const ratios = drafts.map((draft) => repetitionRatio(draft.raw, LOOP_WORD_N, LOOP_CJK_N).ratio);
    return {
        configuration,
        flags: CONFIGURATIONS[configuration]!,
        drafts: drafts.length,
        degenerate: ratios.filter((ratio) => ratio > threshold).length,
        medianRepetition: distribution(ratios).median,
        atTokenCap: drafts.filter((draft) => draft.stop === "max-tokens").length,
        skipped: records.filter((record) => record.status === "skipped").length
    };
}

const share = (count: number, total: number) => total === 0 ? "-" : `${count}/${total} (${(100 * count / total).toFixed(0)}%)`;

function formatDraftTable(rows: DraftRow[], threshold: number): string {
    const header = `| configuration | flags over the small preset | degenerate drafts (4-gram repetition > ${threshold}) | median 4-gram repetition | drafts that ran to the token cap | items skipped (the draft copies y, has one segment or is too short) |`;
    const lines = rows.map((row) => `| ${row.configuration} | ${row.flags.length === 0 ? "(none)" : `\`${row.flags.join(" ")}\``} | ${share(row.degenerate, row.drafts)} | ${row.medianRepetition?.toFixed(2) ?? "-"} | ${share(row.atTokenCap, row.drafts)} | ${row.skipped} |`);
    return [header, `|${" --- |".repeat(6)}`, ...lines].join("\n") + "\n";
}

const outDir = path.resolve(args.out);
const { input, ids } = writeBenchInput(args.pairs, outDir, args.limit);
const threshold = Number(args.threshold);
const common = ["--model", args.model, "--max-tokens", args["max-tokens"], "--seed", args.seed, "--threads", args.threads, "--progress", "log", ...DRAFT_ONLY];

const names = args.configs.split(",");
for (const name of names)
    if (CONFIGURATIONS[name] == null)
        throw new Error(`unknown configuration ${name}; known: ${Object.keys(CONFIGURATIONS).join(", ")}`);
const outputOf = (name: string) => path.join(outDir, `${name}.jsonl`);
// A small pool: --jobs configurations at once, each a synthesize of its own.
const queue = [...names];
await Promise.all(Array.from({ length: Math.max(1, Number(args.jobs)) }, async () => {
    for (let name = queue.shift(); name != null; name = queue.shift()) {
        process.stderr.write(`== ${name}: draft ${ids.size} pair(s) into ${outputOf(name)}\n`);
        await runReer(["synthesize", input, "-o", outputOf(name), ...common, ...CONFIGURATIONS[name]!], { okCodes: [0, 3] });
    }
}));

const rows: DraftRow[] = [];
for (const name of names)
    rows.push(draftRow(name, (await readTraceFile(outputOf(name))).filter((record) => ids.has(record.id)), threshold));
const machine = `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} logical CPUs`;
const heading = `bench:drafts, ${new Date().toISOString().slice(0, 10)}, ${machine}; ${ids.size} pair(s), one draft each by ${args.model}, ` +
    `the small preset's drafting (plan prompt) with --max-tokens ${args["max-tokens"]} --seed ${args.seed}\n\n`;
const table = formatDraftTable(rows, threshold);
writeFileSync(path.join(outDir, `drafts-${ids.size}.md`), heading + table);
writeFileSync(path.join(outDir, `drafts-${ids.size}.json`), JSON.stringify({ date: new Date().toISOString(), machine, settings: { ...args, pairs: ids.size }, rows }, null, 2) + "\n");
process.stdout.write(heading + table);
