/**
 * Writes a deterministic random-weight GGUF with the shape of Qwen2.5-0.5B-Instruct and the real
 * Qwen2 tokenizer (copied from llama.cpp's models/ggml-vocab-qwen2.gguf), for speed benchmarks.
 * Speed is real; the text it generates is meaningless.
 *
 * Its next-token distributions are flat (entropy close to ln(vocabulary) = 11.9 nats): the
 * logits are the final hidden state (RMS-normalised, norm sqrt(896)) times random embeddings
 * of standard deviation 0.02, a spread of about 0.6. A trained model's distributions have a
 * few nats of entropy, and that changes what sampling costs (top-p keeps a handful of tokens
 * instead of most of the vocabulary). --peaked writes a model that behaves like a trained one
 * there: the final norm's gain (output_norm.weight, 1 in the flat model) becomes
 * --output-gain (default 9), which widens the logits' spread to about 5.5 and brings the
 * entropy to a few nats. Nothing else changes (the embeddings are tied, so only the output
 * side sees the gain).
 *
 *   npx tsx scripts/bench-model/makeBenchModel.ts [--out models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf]
 *       [--layers 24] [--seed 1] [--peaked [--output-gain 9]] [--force] [--verify] [--vocab path/to/ggml-vocab-qwen2.gguf]
 *
 * Same arguments -> same bytes. An existing output of the expected size is kept unless --force.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { readGgufFileInfo } from "node-llama-cpp";
import { readGgufStructure } from "../../src/model/gguf/readGgufStructure.js";
import { GgmlType, gguf, GgufValueType, GgufWriter, QK8_0, type GgufTensorSpec } from "../gguf/GgufWriter.js";

const DEFAULT_OUT = "models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf";
const PEAKED_OUT = "models/bench/qwen2.5-0.5b-shape-peaked-q8_0.gguf";
/** Final-norm gain of --peaked: logits spread about 0.6 x gain (see the top of this file). */
const DEFAULT_PEAKED_GAIN = 9;

/** Qwen2.5-0.5B(-Instruct) hyperparameters. */
const shape = {
    embd: 896,
    heads: 14,
    kvHeads: 2,
    ffn: 4864,
    contextLength: 32768,
    ropeFreqBase: 1_000_000,
    rmsEps: 1e-6
};
const headDim = shape.embd / shape.heads; // 64
const kvDim = headDim * shape.kvHeads; // 128

/** Qwen2.5-style ChatML (without Qwen's default system prompt). */
const CHAT_TEMPLATE =
    "{%- for message in messages -%}" +
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' -}}" +
    "{%- endfor -%}" +
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

const LLAMA_FTYPE_MOSTLY_Q8_0 = 7;
const GGML_QUANT_VERSION = 2;
const WEIGHT_STD = 0.02;
const BIAS_STD = 0.01;

// ---------------------------------------------------------------- deterministic weights

/** FNV-1a 32-bit over the UTF-8 bytes of `text`. */
function fnv1a(text: string): number {
    let h = 0x811c9dc5;
    for (const byte of Buffer.from(text, "utf8")) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    return h;
}

/**
 * Normal-ish values with standard deviation `std`: Irwin-Hall sum of four 16-bit uniforms
 * from mulberry32, seeded per tensor name so each tensor is independent of the others and of
 * the layer count. Integer and float32 arithmetic only, so the output is bit-for-bit reproducible.
 */
function* randomValues(seed: number, name: string, count: number, std: number, chunkSize = 1 << 16): Generator<Float32Array> {
    let state = (fnv1a(name) ^ Math.imul(seed, 0x9e3779b9)) >>> 0;
    const next = (): number => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return (t ^ (t >>> 14)) >>> 0;
    };
    // sum of 4 U(0,1) has mean 2, variance 1/3
    const scale = (Math.sqrt(3) * std) / 65536;
    const buf = new Float32Array(chunkSize);
    for (let done = 0; done < count; done += chunkSize) {
        const n = Math.min(chunkSize, count - done);
        const out = n === chunkSize ? buf : buf.subarray(0, n);
        for (let i = 0; i < n; i++) {
            const a = next();
            const b = next();
            const sum = (a & 0xffff) + (a >>> 16) + (b & 0xffff) + (b >>> 16) + 2; // +2: centre of the 16-bit cells
            out[i] = (sum - 131072) * scale; // mean of the sum is 2 * 65536
        }
        yield out;
    }
}

function* constantValues(value: number, count: number): Generator<Float32Array> {
    yield new Float32Array(count).fill(value);
}

// ---------------------------------------------------------------- model plan

interface Plan {
    writer: GgufWriter;
    vocabSize: number;
}

function findVocabFile(): string {
    const require = createRequire(import.meta.url);
    let dir = path.dirname(require.resolve("node-llama-cpp"));
    while (!existsSync(path.join(dir, "llama", "addon"))) {
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error("could not locate the node-llama-cpp package directory");
        dir = parent;
    }
    return path.join(dir, "llama", "llama.cpp", "models", "ggml-vocab-qwen2.gguf");
}

/** outputGain: the final norm's gain, 1 for the flat model. */
async function buildPlan(vocabPath: string, layers: number, seed: number, outputGain = 1): Promise<Plan> {
    // reer's reader, not readGgufFileInfo: the copy keeps each value's GGUF type and the file's order.
    const vocab = await readGgufStructure(vocabPath, { values: true });
    const tokens = vocab.entries.find(({ key }) => key === "tokenizer.ggml.tokens")?.value;
    if (!tokens || tokens.type !== GgufValueType.ARRAY) throw new Error(`${vocabPath} has no tokenizer.ggml.tokens`);
    const vocabSize = tokens.value.length;

    const w = new GgufWriter();
    setMetadata(w, layers, seed, outputGain);
    // All tokenizer metadata, with its original GGUF types, in the vocab file's order.
    for (const { key, value } of vocab.entries)
        if (key.startsWith("tokenizer.") && key !== "tokenizer.chat_template") w.set(key, value!);
    w.set("tokenizer.ggml.add_bos_token", gguf.bool(false));
    w.set("tokenizer.chat_template", gguf.str(CHAT_TEMPLATE));
    addTensors(w, vocabSize, layers, seed, outputGain);
    return { writer: w, vocabSize };
}

function setMetadata(w: GgufWriter, layers: number, seed: number, outputGain: number): void {
    w.set("general.architecture", gguf.str("qwen2"));
    w.set("general.type", gguf.str("model"));
    const peaked = outputGain !== 1;
    w.set("general.name", gguf.str(`Qwen2.5-0.5B-shape random-weight bench model (${layers} layers, seed ${seed}${peaked ? `, peaked: output gain ${outputGain}` : ""})`));
    w.set("general.description", gguf.str(
        "RANDOM-WEIGHT BENCHMARK DATA, not a trained model: Qwen2.5-0.5B-Instruct shape with the real Qwen2 " +
        "tokenizer and deterministic pseudo-random weights (written by reer scripts/bench-model/makeBenchModel.ts). " +
        "Speed measurements are meaningful; generated text is not." +
        (peaked ? ` Peaked: the final norm's gain is ${outputGain}, so next-token distributions have a few nats of entropy, as a trained model's do.` : "")));
    w.set("general.file_type", gguf.u32(LLAMA_FTYPE_MOSTLY_Q8_0));
    w.set("general.quantization_version", gguf.u32(GGML_QUANT_VERSION));

    w.set("qwen2.block_count", gguf.u32(layers));
    w.set("qwen2.context_length", gguf.u32(shape.contextLength));
    w.set("qwen2.embedding_length", gguf.u32(shape.embd));
    w.set("qwen2.feed_forward_length", gguf.u32(shape.ffn));
    w.set("qwen2.attention.head_count", gguf.u32(shape.heads));
    w.set("qwen2.attention.head_count_kv", gguf.u32(shape.kvHeads));
    w.set("qwen2.rope.freq_base", gguf.f32(shape.ropeFreqBase));
    w.set("qwen2.attention.layer_norm_rms_epsilon", gguf.f32(shape.rmsEps));
}

function addTensors(w: GgufWriter, vocabSize: number, layers: number, seed: number, outputGain: number): void {
    const weight = (name: string, rows: number, cols: number): GgufTensorSpec => ({
        // dims in ggml order: ne0 = input features (row length), ne1 = output features
        name, dims: [cols, rows], type: GgmlType.Q8_0,
        data: () => randomValues(seed, name, rows * cols, WEIGHT_STD)
    });
    const norm = (name: string, gain = 1): GgufTensorSpec => ({
        name, dims: [shape.embd], type: GgmlType.F32, data: () => constantValues(gain, shape.embd)
    });
    const bias = (name: string, n: number): GgufTensorSpec => ({
        name, dims: [n], type: GgmlType.F32, data: () => randomValues(seed, name, n, BIAS_STD)
    });

    // Tied output: no output.weight, llama.cpp reuses token_embd (as Qwen2.5-0.5B does).
    w.addTensor(weight("token_embd.weight", vocabSize, shape.embd));
    w.addTensor(norm("output_norm.weight", outputGain));
    for (let i = 0; i < layers; i++) {
        const p = `blk.${i}.`;
        w.addTensor(norm(`${p}attn_norm.weight`));
        w.addTensor(weight(`${p}attn_q.weight`, shape.embd, shape.embd));
        w.addTensor(bias(`${p}attn_q.bias`, shape.embd));
        w.addTensor(weight(`${p}attn_k.weight`, kvDim, shape.embd));
        w.addTensor(bias(`${p}attn_k.bias`, kvDim));
        w.addTensor(weight(`${p}attn_v.weight`, kvDim, shape.embd));
        w.addTensor(bias(`${p}attn_v.bias`, kvDim));
        w.addTensor(weight(`${p}attn_output.weight`, shape.embd, shape.embd));
        w.addTensor(norm(`${p}ffn_norm.weight`));
        w.addTensor(weight(`${p}ffn_gate.weight`, shape.ffn, shape.embd));
        w.addTensor(weight(`${p}ffn_up.weight`, shape.ffn, shape.embd));
        w.addTensor(weight(`${p}ffn_down.weight`, shape.embd, shape.ffn));
    }
}

/** Where a model goes without --out: the standard file, or one that names its layers, seed and gain. */
function defaultOutPath(peaked: boolean, outputGain: number, layers: number, seed: number): string {
    const defaultOut = peaked
        ? PEAKED_OUT.replace(/\.gguf$/, outputGain === DEFAULT_PEAKED_GAIN ? ".gguf" : `-g${outputGain}.gguf`)
        : DEFAULT_OUT;
    return layers === 24 && seed === 1 ? defaultOut : defaultOut.replace(/\.gguf$/, `-${layers}l${seed === 1 ? "" : `-s${seed}`}.gguf`);
}

/** Writes the model, telling progress every 5 s, and checks that it reads back; returns its sha256. */
async function writeWithProgress(writer: GgufWriter, out: string): Promise<string> {
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const started = performance.now();
    let lastReport = started;
    const result = writer.write(out, (index, count, name) => {
        const now = performance.now();
        if (now - lastReport > 5000 || index === count - 1) {
            console.log(`  ${index + 1}/${count} tensors (${name}), ${((now - started) / 1000).toFixed(1)} s`);
            lastReport = now;
        }
    });
    console.log(`wrote ${out}: ${result.bytes} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await checkReadsBack(out, writer);
    return result.sha256;
}

/** Re-reads the header written: every tensor must come back as planned. */
async function checkReadsBack(file: string, writer: GgufWriter): Promise<void> {
    const back = await readGgufFileInfo(file, { readTensorInfo: true, logWarnings: false });
    const backTensors = back.tensorInfo ?? [];
    const planned = writer.layout();
    if (backTensors.length !== planned.tensors.length || back.infoEndOffset !== planned.dataStart ||
        backTensors.some((t, i) => t.name !== planned.tensors[i]!.name || Number(t.offset) !== planned.tensors[i]!.offset))
        throw new Error("the written header does not read back as planned");
}

async function sha256File(file: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
    return hash.digest("hex");
}

const mib = (bytes: number): string => `${(bytes / (1 << 20)).toFixed(1)} MiB`;

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
    const { values: args } = parseArgs({
        options: {
            out: { type: "string" },
            layers: { type: "string", default: "24" },
            seed: { type: "string", default: "1" },
            vocab: { type: "string" },
            force: { type: "boolean", default: false },
            verify: { type: "boolean", default: false },
            peaked: { type: "boolean", default: false },
            "output-gain": { type: "string" },
            help: { type: "boolean", short: "h", default: false }
        }
    });
    if (args.help) {
        console.log("usage: npx tsx scripts/bench-model/makeBenchModel.ts [--out FILE] [--layers 24] [--seed 1] [--peaked [--output-gain 9]] [--force] [--verify] [--vocab FILE]");
        return;
    }
    const layers = Number(args.layers);
    const seed = Number(args.seed);
    if (!Number.isInteger(layers) || layers < 1 || layers > 1000) throw new Error(`--layers must be a positive integer, got ${args.layers}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed must be an integer in [0, 2^32), got ${args.seed}`);
    if (args["output-gain"] != null && !args.peaked) throw new Error("--output-gain needs --peaked");
    const outputGain = args.peaked ? Number(args["output-gain"] ?? DEFAULT_PEAKED_GAIN) : 1;
    if (!Number.isFinite(outputGain) || outputGain <= 0) throw new Error(`--output-gain must be a positive number, got ${args["output-gain"]}`);
    const out = args.out ?? defaultOutPath(args.peaked, outputGain, layers, seed);

    const vocabPath = args.vocab ?? findVocabFile();
    if (!existsSync(vocabPath)) {
        console.error(`error: the Qwen2 vocab file is missing: ${vocabPath}` + (args.vocab ? "" : "\n" +
            "It comes with node-llama-cpp's llama.cpp sources, which are unpacked by the native build: run `npm run build:native` first."));
        process.exit(1);
    }

    const { writer, vocabSize } = await buildPlan(vocabPath, layers, seed, outputGain);
    if (QK8_0 !== 32 || shape.embd % QK8_0 !== 0 || shape.ffn % QK8_0 !== 0) throw new Error("shape not Q8_0-compatible");
    const { totalSize, tensors } = writer.layout();
    console.log(`qwen2 shape: ${layers} layers, embd ${shape.embd}, heads ${shape.heads}/${shape.kvHeads} (dim ${headDim}), ffn ${shape.ffn}, vocab ${vocabSize}; ` +
        `${tensors.length} tensors, ${mib(totalSize)}`);
    console.log(outputGain === 1
        ? `output: flat (final norm gain 1: next-token entropy close to ln(${vocabSize}) = ${Math.log(vocabSize).toFixed(1)} nats; --peaked for a trained model's few nats)`
        : `output: peaked (final norm gain ${outputGain}: next-token entropy of a few nats, as a trained model's)`);

    let sha256: string;
    if (!args.force && existsSync(out) && statSync(out).size === totalSize) {
        console.log(`${out} exists with the expected size ${totalSize} bytes: kept (use --force to rewrite)`);
        sha256 = await sha256File(out);
    } else {
        sha256 = await writeWithProgress(writer, out);
    }
    console.log(`size ${statSync(out).size} bytes (${mib(statSync(out).size)})`);
    console.log(`sha256 ${sha256}`);

    if (args.verify) {
        const { verifyBenchModel } = await import("./verifyBenchModel.js");
        await verifyBenchModel(out, vocabPath);
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exit(1);
});
