import { statSync } from "node:fs";
import path from "node:path";
import type { GgufFileInfo, LlamaContext, LlamaContextOptions, LlamaModel, Token } from "node-llama-cpp";
import { CorruptModelError, ModelLoadError, UnsupportedArchitectureError } from "../errors/modelErrors.js";
import { LlamaRuntime, type RuntimeOptions } from "../runtime/LlamaRuntime.js";
import { ggmlTypeTraits } from "../runtime/nodeLlamaInternals.js";
import { GenerationGrammar } from "./GenerationGrammar.js";
import { readModelHeader } from "./readModelHeader.js";
import { sha256OfFile } from "./resolveModelPath.js";
import { VocabularyGuard } from "./VocabularyGuard.js";

export type ModelLoadOptions = RuntimeOptions & {
    /** Layers to offload to the GPU: "auto" (as many as fit), "max" or a count. Ignored on CPU. */
    gpuLayers?: "auto" | "max" | number;
    /** Load only the vocabulary (for counting tokens without the weights). */
    vocabOnly?: boolean;
    /** The file's full sha256, when it was verified before loading (a pin, a catalogue model): recorded in the identity. */
    verifiedSha256?: string;
};

/** What identifies a model file in every output record. */
export type ModelIdentity = {
    path: string;
    name: string;
    sizeBytes: number;
    /** sha256 of the first MiB (header, metadata and the start of the tensors): cheap and specific. */
    headSha256: string;
    /** sha256 of the whole file, when it was verified (--model-sha256 and the like, or a catalogue model). */
    sha256?: string;
    architecture: string;
};

const HEAD_HASH_BYTES = 1 << 20;

/** A GGUF model loaded once and shared by every context that scores or generates with it. */
export class LoadedModel {
    private constructor(
        public readonly runtime: LlamaRuntime,
        public readonly model: LlamaModel,
        public readonly header: GgufFileInfo,
        public readonly identity: ModelIdentity,
        public readonly guard: VocabularyGuard
    ) {}

    public static async load(modelPath: string, options: ModelLoadOptions = {}): Promise<LoadedModel> {
        const runtime = await LlamaRuntime.get(options);
        // The model file is untrusted input: check it whole before llama.cpp, which may abort the process on a bad one, reads it.
        const header = await readModelHeader(modelPath, { typeTraits: ggmlTypeTraits(runtime.llama) });
        const architecture = String(header.metadata.general.architecture);
        let model: LlamaModel;
        runtime.takeErrorLog();
        try {
            model = await runtime.llama.loadModel({
                modelPath,
                gpuLayers: runtime.llama.gpu === false || options.vocabOnly === true ? 0 : (options.gpuLayers ?? "auto"),
                ...(options.vocabOnly === true ? { vocabOnly: true } : {})
            });
        } catch (error) {
            const logged = runtime.takeErrorLog().filter((line) => !/failed to load model$/i.test(line));
            const detail = logged.at(-1) ?? (error instanceof Error ? error.message : String(error));
            if (logged.some((line) => /unknown model architecture/i.test(line)))
                throw new UnsupportedArchitectureError(modelPath, architecture, `loading failed: ${detail}`);
            if (/not within the file bounds|corrupted or incomplete|failed to read/i.test(detail))
                throw new CorruptModelError(modelPath, detail.replace(/^llama_model_load: error loading model: /u, ""));
            throw new ModelLoadError(modelPath, architecture, detail);
        }
        const name = String(header.metadata.general.name ?? path.basename(modelPath));
        const identity: ModelIdentity = {
            path: path.resolve(modelPath),
            name,
            sizeBytes: statSync(modelPath).size,
            headSha256: await sha256OfFile(modelPath, HEAD_HASH_BYTES),
            ...(options.verifiedSha256 == null ? {} : { sha256: options.verifiedSha256 }),
            architecture
        };
        return new LoadedModel(runtime, model, header, identity, new VocabularyGuard(model, name));
    }

    /** A new context on this model; pass `threads` always (llama.cpp's default oversubscribes small machines). */
    public async createContext(options: LlamaContextOptions & { threads: number }): Promise<LlamaContext> {
        return await this.model.createContext(options);
    }

    /** Weights in the model, counted from the tensor shapes in the GGUF header. */
    public get parameterCount(): number {
        return (this.header.tensorInfo ?? [])
            .reduce((sum, tensor) => sum + tensor.dimensions.reduce<number>((product, dim) => product * Number(dim), 1), 0);
    }

    /** Compiles a GBNF grammar for constrained generation on this model; a malformed grammar throws here, not mid-run. */
    public compileGrammar(gbnf: string): GenerationGrammar {
        return new GenerationGrammar(this.runtime.llama, this.model, gbnf);
    }

    /** Layers offloaded to the GPU (0 on the CPU backend). */
    public get gpuLayers(): number {
        return this.model.gpuLayers;
    }

    /** Whether generation and scoring on this model run on a GPU. */
    public get onGpu(): boolean {
        return this.runtime.llama.gpu !== false && this.model.gpuLayers > 0;
    }

    /** The CPU threads to use when none are given: the machine's math cores. */
    public get defaultThreads(): number {
        return Math.max(1, this.runtime.llama.cpuMathCores);
    }

    /** Text of the BOS and EOS tokens, as chat templates refer to them. */
    public get specialTokenTexts(): { bos: string | undefined; eos: string | undefined } {
        return { bos: this.model.tokens.bosString ?? undefined, eos: this.model.tokens.eosString ?? undefined };
    }

    public isEndOfGeneration(token: Token): boolean {
        return this.model.isEogToken(token);
    }

    /** Text of `tokens`; `lastTokens` (the tokens before them) lets SentencePiece place leading spaces right. */
    public detokenize(tokens: readonly Token[], specialTokens = false, lastTokens?: readonly Token[]): string {
        return this.model.detokenize(tokens, specialTokens, lastTokens);
    }

    /**
     * Bytes of KV cache one token takes in a context of this model, from the GGUF header:
     * layers x KV heads x (key + value width) x the cache type's bytes per element.
     */
    public kvBytesPerToken(cacheType: "F32" | "F16" | "Q8_0"): number {
        const architecture = String(this.header.metadata.general.architecture);
        const meta = (this.header.metadata as unknown as Record<string, Record<string, unknown> | undefined>)[architecture] ?? {};
        const attention = (meta.attention ?? {}) as Record<string, unknown>;
        const number = (value: unknown, fallback: number) => (typeof value === "number" && value > 0 ? value : fallback);
        const layers = number(meta.block_count, 1);
        const heads = number(attention.head_count, 1);
        const kvHeads = number(attention.head_count_kv, heads);
        const headWidth = number(meta.embedding_length, 1) / heads;
        const width = number(attention.key_length, headWidth) + number(attention.value_length, headWidth);
        const bytesPerElement = cacheType === "F32" ? 4 : cacheType === "F16" ? 2 : 34 / 32;
        return layers * kvHeads * width * bytesPerElement;
    }

    /** Free memory on the GPU (0 on the CPU backend). */
    public async freeGpuBytes(): Promise<number> {
        if (this.runtime.llama.gpu === false)
            return 0;
        return (await this.runtime.llama.getVramState()).free;
    }

    /** The training context from the loaded model, or from the GGUF header when only the vocabulary was loaded. */
    public get trainContextSize(): number {
        if (this.model.trainContextSize > 0)
            return this.model.trainContextSize;
        const architecture = String(this.header.metadata.general.architecture);
        const fromHeader = (this.header.metadata as unknown as Record<string, { context_length?: unknown } | undefined>)[architecture]?.context_length;
        return typeof fromHeader === "number" ? fromHeader : 0;
    }

    public get chatTemplate(): string | undefined {
        const template = this.header.metadata.tokenizer?.chat_template;
        return typeof template === "string" && template.trim() !== "" ? template : undefined;
    }

    /** BOS to put first, when the model's metadata asks for one. */
    public get leadingBos(): Token[] {
        const bos = this.model.tokens.bos;
        return bos != null && this.model.tokens.shouldPrependBosToken ? [bos] : [];
    }

    /**
     * Tokenises user text: special-token syntax stays literal text, characters the
     * vocabulary cannot encode are refused first. `continuation` tokenises the text as it
     * would be after earlier text, without the leading space that SentencePiece adds to a
     * string tokenised on its own.
     */
    public tokenizeText(text: string, what: string, continuation: boolean): Token[] {
        this.guard.assertEncodable(text, what);
        if (text === "")
            return [];
        return continuation ? this.tokenizeContinuation(text, false) : this.model.tokenize(text, false);
    }

    /** Tokenises template markup, where special-token syntax means special tokens. */
    public tokenizeMarkup(text: string, what: string): Token[] {
        this.guard.assertMarkupEncodable(text, what);
        if (text === "")
            return [];
        return this.tokenizeContinuation(text, true);
    }

    private readonly newlineProbes = new Map<boolean, Token[]>();

    /**
     * Tokenises "\n" + text and drops the tokens of "\n", accepting a result only when
     * detokenising probe + result gives back exactly "\n" + text (no stray space token).
     * node-llama-cpp's own "trimLeadingSpace" can leave a lone space token in front of
     * markup on SentencePiece models, which this check catches.
     */
    private tokenizeContinuation(text: string, specialTokens: boolean): Token[] {
        let probe = this.newlineProbes.get(specialTokens);
        if (probe == null) {
            probe = this.model.tokenize("\n", specialTokens);
            this.newlineProbes.set(specialTokens, probe);
        }
        const expected = this.model.detokenize(probe, specialTokens) + text;
        const reproduces = (candidate: Token[]) => this.model.detokenize([...probe, ...candidate], specialTokens) === expected;
        const withProbe = this.model.tokenize("\n" + text, specialTokens);
        if (probe.every((token, index) => withProbe[index] === token)) {
            const rest = withProbe.slice(probe.length);
            if (reproduces(rest))
                return rest;
        }
        const direct = this.model.tokenize(text, specialTokens);
        if (reproduces(direct))
            return direct;
        return this.model.tokenize(text, specialTokens, "trimLeadingSpace");
    }

    public async dispose(): Promise<void> {
        await this.model.dispose();
    }
}
