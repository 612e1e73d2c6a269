/**
 * What reer's thinking is worth on a real model: synthesise the shared pairs with one
 * model as generator and scorer under each configuration, then re-score every item with
 * no thinking, z0 and z* under the run's own scorer and under a held-out judge
 * (`reer evaluate`), and print one table (Markdown) with its JSON beside it.
 *
 *   npm run bench:quality -- [--limit 8] [--configs paper,constrained,resample,both,...] [--threads 1]
 *                            [--model smollm2-135m-instruct] [--judge gemma-3-270m] [--judge-template none]
 *                            [--max-tokens 512] [--max-steps 4] [--seed 1] [--out bench-results/quality]
 *                            [--define "name=--flag value ..."]...
 *
 * Every run resumes: the outputs are kept in --out, so an interrupted bench, or a longer
 * --limit after a shorter one, only computes the items it lacks.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { evaluationSchema, type Evaluation } from "../src/evaluation/evaluationSchema.js";
import { readTraceFile } from "../src/trace/readTrace.js";
import { formatQualityTable, qualityRow, type QualityRow } from "./bench-quality/qualityRow.js";
import { runReer, sharedPairsPath, writeBenchInput } from "./bench/harness.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The configurations compared, as synthesize flags on top of the common ones. */
const REDRAFT = ["--redrafts", "3", "--max-draft-repetition", "0.5", "--dry", "0.8"];
/** The small-model preset's first version (constrained rewrites, redrafts, copy screens; 512 new tokens come with the bench's flags). */
const SMALL_V1 = ["--preset", "paper", "--constrain-rewrite", "--redrafts", "3", "--max-draft-repetition", "0.5", "--screen-draft-copies", "--max-verbatim-chars", "60"];
const COOL = ["--prune", "--temperature", "0.6", "--dry", "0.8"];
const CONFIGURATIONS: Record<string, string[]> = {
    paper: ["--preset", "paper"],
    constrained: ["--preset", "paper", "--constrain-rewrite"],
    resample: ["--preset", "paper", "--proposer", "resample"],
    both: ["--preset", "paper", "--proposer", "both", "--constrain-rewrite"],
    "constrained+redraft": ["--preset", "paper", "--constrain-rewrite", ...REDRAFT],
    "resample+redraft": ["--preset", "paper", "--proposer", "resample", ...REDRAFT],
    "both+redraft": ["--preset", "paper", "--proposer", "both", "--constrain-rewrite", ...REDRAFT],
    // The small-model preset (src/config/smallModelPreset.ts), as `--preset small` sets it.
    small: ["--preset", "small"],
    // The search the small-model preset was chosen from: its first version, then one change at a time.
    "small-v1": SMALL_V1,
    "v1+plan": [...SMALL_V1, "--draft-prompt", "plan"],
    "v1+prune": [...SMALL_V1, "--prune"],
    "v1+prune+T0.6": [...SMALL_V1, ...COOL],
    "v1+prune+T0.4": [...SMALL_V1, "--prune", "--temperature", "0.4", "--dry", "0.8"],
    "v1+prune+plan+3drafts": [...SMALL_V1, "--prune", "--draft-prompt", "plan", "--initial-drafts", "3"],
    "v1+prune+T0.6+plan": [...SMALL_V1, ...COOL, "--draft-prompt", "plan"],
    "v1+prune+T0.6+3drafts": [...SMALL_V1, ...COOL, "--initial-drafts", "3"],
    "v1+prune+T0.6+meanNll": [...SMALL_V1, ...COOL, "--objective", "meanNll"],
    "v1+prune+T0.6+plan+resample": [...SMALL_V1, ...COOL, "--draft-prompt", "plan", "--proposer", "resample"],
    "small+rewrite": ["--preset", "small", "--proposer", "rewrite"]
};

const { values: args } = parseArgs({
    options: {
        limit: { type: "string" },
        configs: { type: "string", default: "paper,constrained" },
        threads: { type: "string" },
        model: { type: "string", default: "smollm2-135m-instruct" },
        judge: { type: "string", default: "gemma-3-270m" },
        // Gemma-3-270M is a base model without a chat template: it reads x, z and y as plain text.
        "judge-template": { type: "string", default: "none" },
        "max-tokens": { type: "string", default: "512" },
        "max-steps": { type: "string", default: "4" },
        seed: { type: "string", default: "1" },
        out: { type: "string", default: path.join(repoRoot, "bench-results", "quality") },
        // Evaluate and tabulate outputs already synthesised (by an earlier bench or by hand), without resuming them.
        "evaluate-only": { type: "boolean", default: false },
        pairs: { type: "string", default: sharedPairsPath() },
        // A configuration of your own: --define "name=--flag value ...", then name it in --configs.
        define: { type: "string", multiple: true, default: [] }
    }
});
for (const definition of args.define) {
    const [name, flags] = [definition.slice(0, definition.indexOf("=")), definition.slice(definition.indexOf("=") + 1)];
    if (name === "" || !definition.includes("="))
        throw new Error(`--define takes name=flags, not ${JSON.stringify(definition)}`);
    CONFIGURATIONS[name] = flags.split(/\s+/).filter((flag) => flag !== "");
}

const outDir = path.resolve(args.out);
const { input, ids } = writeBenchInput(args.pairs, outDir, args.limit);
const threads = args.threads == null ? [] : ["--threads", args.threads];
const common = ["--model", args.model, "--max-tokens", args["max-tokens"], "--max-steps", args["max-steps"], "--seed", args.seed, ...threads, "--progress", "log"];

const rows: QualityRow[] = [];
for (const name of args.configs.split(",")) {
    const flags = CONFIGURATIONS[name];
    if (flags == null)
        throw new Error(`unknown configuration ${name}; known: ${Object.keys(CONFIGURATIONS).join(", ")}`);
    const output = path.join(outDir, `${name}.jsonl`);
    if (!args["evaluate-only"]) {
        process.stderr.write(`\n== ${name}: synthesize ${ids.size} pair(s) into ${output}\n`);
        await runReer(["synthesize", input, "-o", output, ...common, ...flags], { okCodes: [0, 3] });
    }
    const evaluate = async (label: string, scorer: string[]): Promise<Evaluation> => {
        const file = path.join(outDir, `${name}.evaluate-${label}.json`);
        // An evaluation newer than its trace is still current: tabulating again does not rescore.
        if (existsSync(file) && statSync(file).mtimeMs > statSync(output).mtimeMs)
            return evaluationSchema.parse(JSON.parse(readFileSync(file, "utf8")));
        process.stderr.write(`== ${name}: evaluate under ${label}\n`);
        const evaluation = evaluationSchema.parse(JSON.parse(await runReer(["evaluate", output, "--json", ...threads, ...scorer], { capture: true, okCodes: [0, 3] })));
        writeFileSync(file, JSON.stringify(evaluation, null, 2) + "\n");
        return evaluation;
    };
    const own = await evaluate("own", []);
    const judge = await evaluate(args.judge, ["--scorer", args.judge, "--template", args["judge-template"]]);
    const records = (await readTraceFile(output)).filter((record) => ids.has(record.id));
    rows.push(qualityRow(name, records, own, judge));
}

const machine = `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
const settings = { pairs: ids.size, model: args.model, judge: args.judge, maxTokens: Number(args["max-tokens"]), maxSteps: Number(args["max-steps"]), seed: Number(args.seed), threads: args.threads ?? "default" };
const table = formatQualityTable(rows, args.judge);
const heading = `bench:quality, ${new Date().toISOString().slice(0, 10)}, ${machine}; ${ids.size} pair(s), generator and scorer ${args.model}, ` +
    `held-out judge ${args.judge} (template ${args["judge-template"]}), --max-tokens ${settings.maxTokens} --max-steps ${settings.maxSteps} --seed ${settings.seed}\n\n`;
writeFileSync(path.join(outDir, `quality-${ids.size}.md`), heading + table);
writeFileSync(path.join(outDir, `quality-${ids.size}.json`), JSON.stringify({ date: new Date().toISOString(), machine, settings, rows }, null, 2) + "\n");
process.stdout.write(heading + table);
