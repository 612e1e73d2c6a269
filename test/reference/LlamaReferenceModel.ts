// A plain float64 forward pass of a llama-architecture GGUF model with F32 weights. It is
// an oracle for tests: slow, obvious, and independent of llama.cpp and of the scorer, so
// agreement with node-llama-cpp means both compute the same model, not the same bugs.
import { GgufFile } from "./GgufFile.js";

/**
 * How RoPE pairs the dimensions of a head. llama.cpp's "normal" mode (the one used for the
 * llama arch, whose Q/K weights the GGUF converters permute accordingly) rotates adjacent
 * pairs (x[2i], x[2i+1]); "halves" is the NeoX layout (x[i], x[i + n/2]); "none" skips RoPE.
 * Only "adjacent" is correct here; the others exist to show the tests can tell them apart.
 */
export type RopePairing = "adjacent" | "halves" | "none";

export type LlamaReferenceOptions = {
    ropePairing?: RopePairing;
};

type Matrix = {
    /** Row-major [nOut][nIn], exactly the GGUF layout of a [ne0 = nIn, ne1 = nOut] tensor. */
    data: Float64Array;
    nIn: number;
    nOut: number;
};

type Block = {
    attnNorm: Float64Array;
    wq: Matrix;
    wk: Matrix;
    wv: Matrix;
    wo: Matrix;
    ffnNorm: Float64Array;
    wGate: Matrix;
    wUp: Matrix;
    wDown: Matrix;
};

export class LlamaReferenceModel {
    readonly embeddingLength: number;
    readonly blockCount: number;
    readonly headCount: number;
    readonly headCountKv: number;
    readonly headDim: number;
    readonly feedForwardLength: number;
    readonly rmsEpsilon: number;
    readonly ropeFreqBase: number;
    readonly ropeDimensionCount: number;
    readonly contextLength: number;
    readonly vocabSize: number;

    private readonly ropePairing: RopePairing;
    /** token_embd.weight: one row of embeddingLength values per token. */
    private readonly tokenEmbedding: Matrix;
    private readonly blocks: Block[];
    private readonly outputNorm: Float64Array;
    private readonly output: Matrix;

    private constructor(gguf: GgufFile, options: LlamaReferenceOptions) {
        const arch = gguf.getValue("general.architecture");
        if (arch !== "llama")
            throw new Error(`Reference model supports only the llama architecture, got ${String(arch)}`);

        this.ropePairing = options.ropePairing ?? "adjacent";
        this.embeddingLength = gguf.getNumber("llama.embedding_length");
        this.blockCount = gguf.getNumber("llama.block_count");
        this.headCount = gguf.getNumber("llama.attention.head_count");
        // Without the KV key, llama.cpp falls back to plain multi-head attention.
        this.headCountKv = gguf.getNumber("llama.attention.head_count_kv", this.headCount);
        this.feedForwardLength = gguf.getNumber("llama.feed_forward_length");
        this.rmsEpsilon = gguf.getNumber("llama.attention.layer_norm_rms_epsilon");
        this.ropeFreqBase = gguf.getNumber("llama.rope.freq_base", 10000);
        this.headDim = this.embeddingLength / this.headCount;
        this.ropeDimensionCount = gguf.getNumber("llama.rope.dimension_count", this.headDim);
        this.contextLength = gguf.getNumber("llama.context_length");

        if (!Number.isInteger(this.headDim) || this.headCount % this.headCountKv !== 0)
            throw new Error("Head counts do not divide the embedding length / each other");
        if (this.ropeDimensionCount > this.headDim || this.ropeDimensionCount % 2 !== 0)
            throw new Error(`Unsupported rope dimension count ${this.ropeDimensionCount}`);

        const d = this.embeddingLength;
        const kvDim = this.headCountKv * this.headDim;
        const ff = this.feedForwardLength;

        this.tokenEmbedding = loadMatrix(gguf, "token_embd.weight", d);
        this.vocabSize = this.tokenEmbedding.nOut;

        this.blocks = [];
        for (let b = 0; b < this.blockCount; b++) {
            const p = `blk.${b}.`;
            this.blocks.push({
                attnNorm: loadVector(gguf, `${p}attn_norm.weight`, d),
                wq: loadMatrix(gguf, `${p}attn_q.weight`, d, d),
                wk: loadMatrix(gguf, `${p}attn_k.weight`, d, kvDim),
                wv: loadMatrix(gguf, `${p}attn_v.weight`, d, kvDim),
                wo: loadMatrix(gguf, `${p}attn_output.weight`, d, d),
                ffnNorm: loadVector(gguf, `${p}ffn_norm.weight`, d),
                wGate: loadMatrix(gguf, `${p}ffn_gate.weight`, d, ff),
                wUp: loadMatrix(gguf, `${p}ffn_up.weight`, d, ff),
                wDown: loadMatrix(gguf, `${p}ffn_down.weight`, ff, d)
            });
        }

        this.outputNorm = loadVector(gguf, "output_norm.weight", d);
        // Models with tied embeddings ship no output.weight; llama.cpp reuses token_embd then.
        this.output = gguf.hasTensor("output.weight")
            ? loadMatrix(gguf, "output.weight", d, this.vocabSize)
            : this.tokenEmbedding;
    }

    static async load(modelPath: string, options: LlamaReferenceOptions = {}): Promise<LlamaReferenceModel> {
        return new LlamaReferenceModel(await GgufFile.read(modelPath), options);
    }

    /**
     * Row i is the log-softmax over the vocabulary for the token following tokens[0..i].
     * Tokens are fed one at a time against a growing KV cache, which is the causal mask.
     */
    nextTokenLogprobs(tokens: number[]): Float64Array[] {
        if (tokens.length > this.contextLength)
            throw new Error(`${tokens.length} tokens exceed the context length ${this.contextLength}`);

        const kvDim = this.headCountKv * this.headDim;
        // Per block, the cached (already rotated) keys and the values, one kvDim row per position.
        const keyCache = this.blocks.map(() => new Float64Array(tokens.length * kvDim));
        const valueCache = this.blocks.map(() => new Float64Array(tokens.length * kvDim));

        const rows: Float64Array[] = [];
        for (let pos = 0; pos < tokens.length; pos++) {
            const token = tokens[pos]!;
            if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize)
                throw new Error(`Token ${token} at position ${pos} is outside the vocabulary`);

            const d = this.embeddingLength;
            const x = this.tokenEmbedding.data.slice(token * d, (token + 1) * d);

            for (let b = 0; b < this.blocks.length; b++) {
                const block = this.blocks[b]!;
                const attention = this.attend(block, rmsNorm(x, block.attnNorm, this.rmsEpsilon), pos, keyCache[b]!, valueCache[b]!);
                addInPlace(x, attention);
                addInPlace(x, this.feedForward(block, rmsNorm(x, block.ffnNorm, this.rmsEpsilon)));
            }

            const logits = matVec(this.output, rmsNorm(x, this.outputNorm, this.rmsEpsilon));
            rows.push(logSoftmax(logits));
        }
        return rows;
    }

    /** log p(tokens[j] | tokens[<j]) for every j >= firstScoredIndex (which must be >= 1). */
    teacherForcedLogprobs(tokens: number[], firstScoredIndex: number): number[] {
        if (firstScoredIndex < 1)
            throw new Error("The first token has no context to be predicted from; firstScoredIndex must be >= 1");

        const rows = this.nextTokenLogprobs(tokens);
        const result: number[] = [];
        for (let j = firstScoredIndex; j < tokens.length; j++)
            result.push(rows[j - 1]![tokens[j]!]!);
        return result;
    }

    /** Causal grouped-query self-attention for one new position; writes its K/V into the cache. */
    private attend(block: Block, normed: Float64Array, pos: number, keys: Float64Array, values: Float64Array): Float64Array {
        const hd = this.headDim;
        const kvDim = this.headCountKv * hd;

        const q = matVec(block.wq, normed);
        const k = matVec(block.wk, normed);
        const v = matVec(block.wv, normed);
        for (let h = 0; h < this.headCount; h++)
            this.applyRope(q, h * hd, pos);
        for (let h = 0; h < this.headCountKv; h++)
            this.applyRope(k, h * hd, pos);
        keys.set(k, pos * kvDim);
        values.set(v, pos * kvDim);

        const scale = 1 / Math.sqrt(hd);
        // Consecutive query heads share one KV head (ggml broadcasts kv head = q head / group).
        const group = this.headCount / this.headCountKv;
        const mixed = new Float64Array(this.embeddingLength);
        const scores = new Float64Array(pos + 1);

        for (let h = 0; h < this.headCount; h++) {
            const qOff = h * hd;
            const kvOff = Math.floor(h / group) * hd;

            let maxScore = -Infinity;
            for (let t = 0; t <= pos; t++) {
                let dot = 0;
                for (let i = 0; i < hd; i++)
                    dot += q[qOff + i]! * keys[t * kvDim + kvOff + i]!;
                scores[t] = dot * scale;
                if (scores[t]! > maxScore)
                    maxScore = scores[t]!;
            }

            let sum = 0;
            for (let t = 0; t <= pos; t++) {
                scores[t] = Math.exp(scores[t]! - maxScore);
                sum += scores[t]!;
            }

            for (let t = 0; t <= pos; t++) {
                const weight = scores[t]! / sum;
                for (let i = 0; i < hd; i++)
                    mixed[qOff + i] = mixed[qOff + i]! + weight * values[t * kvDim + kvOff + i]!;
            }
        }

        return matVec(block.wo, mixed);
    }

    /** SwiGLU: down(silu(gate(x)) * up(x)). */
    private feedForward(block: Block, normed: Float64Array): Float64Array {
        const gate = matVec(block.wGate, normed);
        const up = matVec(block.wUp, normed);
        for (let i = 0; i < gate.length; i++) {
            const g = gate[i]!;
            gate[i] = (g / (1 + Math.exp(-g))) * up[i]!;
        }
        return matVec(block.wDown, gate);
    }

    /**
     * Rotates the first ropeDimensionCount values of one head in place; the rest pass through,
     * as in llama.cpp. Pair i turns by pos * base^(-2i / n_rot).
     */
    private applyRope(vector: Float64Array, offset: number, pos: number): void {
        if (this.ropePairing === "none")
            return;

        const nRot = this.ropeDimensionCount;
        for (let i = 0; i < nRot / 2; i++) {
            const angle = pos * Math.pow(this.ropeFreqBase, (-2 * i) / nRot);
            const cos = Math.cos(angle);
            const sin = Math.sin(angle);
            const a: number = this.ropePairing === "adjacent" ? offset + 2 * i : offset + i;
            const b = this.ropePairing === "adjacent" ? a + 1 : a + nRot / 2;
            const x0 = vector[a]!;
            const x1 = vector[b]!;
            vector[a] = x0 * cos - x1 * sin;
            vector[b] = x0 * sin + x1 * cos;
        }
    }
}

function loadVector(gguf: GgufFile, name: string, length: number): Float64Array {
    const tensor = gguf.getF32Tensor(name);
    if (tensor.dims.length !== 1 || tensor.dims[0] !== length)
        throw new Error(`Tensor ${name} has dims [${tensor.dims.join(", ")}], expected [${length}]`);
    return tensor.data;
}

/** Loads a [ne0 = nIn, ne1 = nOut] weight; nOut is checked only when given. */
function loadMatrix(gguf: GgufFile, name: string, nIn: number, nOut?: number): Matrix {
    const tensor = gguf.getF32Tensor(name);
    const [ne0, ne1] = tensor.dims;
    if (tensor.dims.length !== 2 || ne0 !== nIn || ne1 === undefined || (nOut !== undefined && ne1 !== nOut))
        throw new Error(`Tensor ${name} has dims [${tensor.dims.join(", ")}], expected [${nIn}, ${nOut ?? "n"}]`);
    return { data: tensor.data, nIn, nOut: ne1 };
}

/** out[o] = sum_i W[o * nIn + i] * x[i]: ne0 is the input (contracted) dimension. */
function matVec(matrix: Matrix, x: Float64Array): Float64Array {
    const { data, nIn, nOut } = matrix;
    const out = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
        const row = o * nIn;
        let sum = 0;
        for (let i = 0; i < nIn; i++)
            sum += data[row + i]! * x[i]!;
        out[o] = sum;
    }
    return out;
}

/** x / sqrt(mean(x^2) + eps) * weight, as llama.cpp's RMSNorm followed by the norm weight. */
function rmsNorm(x: Float64Array, weight: Float64Array, epsilon: number): Float64Array {
    let sumSquares = 0;
    for (let i = 0; i < x.length; i++)
        sumSquares += x[i]! * x[i]!;
    const inverseRms = 1 / Math.sqrt(sumSquares / x.length + epsilon);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++)
        out[i] = x[i]! * inverseRms * weight[i]!;
    return out;
}

function addInPlace(target: Float64Array, addend: Float64Array): void {
    for (let i = 0; i < target.length; i++)
        target[i] = target[i]! + addend[i]!;
}

/** Numerically stable log-softmax: subtract the max before exponentiating. */
function logSoftmax(logits: Float64Array): Float64Array {
    let max = -Infinity;
    for (const value of logits)
        if (value > max)
            max = value;
    let sum = 0;
    for (const value of logits)
        sum += Math.exp(value - max);
    const logNormaliser = max + Math.log(sum);
    const out = new Float64Array(logits.length);
    for (let i = 0; i < logits.length; i++)
        out[i] = logits[i]! - logNormaliser;
    return out;
}
