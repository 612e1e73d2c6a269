/**
 * Writes a real GGUF model (llama architecture, SentencePiece "llama" tokenizer with byte
 * fallback) that says fixed text: a script chosen by the last token of the prompt, word for
 * word, then EOS. It follows its script under greedy decoding and under sampling alike.
 *
 * How: the single layer's attention and feed-forward weights are zero, so the residual
 * stream is the token embedding and the next token depends only on the current one (a
 * first-order Markov chain). Every token embeds one-hot onto a "state": each script piece
 * is its own state, and every other token falls into the start state of a script (the
 * default one, or the one whose trigger character it is). The output matrix gives each
 * state's successor a logit `logitGap` nats above every other token (0), after the RMSNorm
 * scaling of a one-hot vector: at temperature 0.8 each other token is e^-50 times less
 * likely, so top-p and top-k cuts never matter.
 *
 * The vocabulary: <unk>, <s>, </s>, the 256 byte tokens, "▁" and printable ASCII as
 * one-character pieces, optional control tokens, then the script pieces: each script cut
 * into chunks of 3 to 12 characters, every one unique (llama.cpp refuses a vocabulary with
 * two tokens of the same text). llama.cpp's SentencePiece tokenizer only forms a piece by
 * merging two adjacent symbols whose joined text is in the vocabulary; with no two-character
 * pieces no merge is ever possible, so any text tokenises one character at a time (spaces as
 * "▁", other characters as byte tokens) and no prompt can contain a script piece: every turn
 * starts its script from the beginning.
 */
import type { Token } from "node-llama-cpp";
import { GgmlType, gguf, GgufValueType, GgufWriter, type GgufTensorSpec } from "../gguf/GgufWriter.js";

export type ScriptedModelSpec = {
    /** Said after a prompt that no trigger claims (the initial-draft prompt ends with an opener). */
    initial: string;
    /** Said after a prompt ending in "\n" (the edit prompt ends with its pre-fill and "\n"). */
    edit?: string;
    /**
     * Further scripts, each said after a prompt whose last character is `after`: one ASCII
     * character (printable, space, or a control character such as "\t").
     */
    triggers?: { after: string; script: string }[];
    /** llama.context_length (default 4096). */
    contextLength?: number;
    /**
     * tokenizer.ggml.add_space_prefix (default false). When true, llama.cpp's detokeniser
     * drops one leading space of the first token it is given, as for real Llama models.
     */
    addSpacePrefix?: boolean;
    /** Adds <|im_start|> and <|im_end|> control tokens and a ChatML chat template. */
    chat?: boolean;
    /** Logit of the scripted next token above every other token (default 40). */
    logitGap?: number;
    name?: string;
};

export type WrittenScript = {
    /** "initial", "edit", or "after:" + the trigger character as JSON. */
    name: string;
    /** The last prompt character that starts this script; null: any prompt no trigger claims. */
    after: string | null;
    text: string;
    /** Vocabulary pieces in order (spaces as "▁"). */
    pieces: string[];
    /** The text each piece detokenises to. */
    pieceTexts: string[];
    tokenIds: Token[];
};

export type ScriptedModel = {
    file: string;
    bytes: number;
    sha256: string;
    /** Every token's text, by id. */
    vocabulary: string[];
    embeddingLength: number;
    eosTokenId: number;
    initial: WrittenScript;
    edit: WrittenScript | undefined;
    scripts: WrittenScript[];
};

/** ChatML, the shape most instruct models use. */
export const SCRIPTED_CHAT_TEMPLATE =
    "{%- for message in messages -%}" +
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' -}}" +
    "{%- endfor -%}" +
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

export const MIN_PIECE_CHARS = 3;
export const MAX_PIECE_CHARS = 12;
/** Piece lengths tried at each cut, in order. */
const PIECE_LENGTHS = [8, 7, 9, 6, 10, 5, 11, 12, 4, 3];
const SPM_SPACE = "\u2581";

// GGUF token types (llama.cpp's llama_token_type).
const TOKEN_NORMAL = 1;
const TOKEN_UNKNOWN = 2;
const TOKEN_CONTROL = 3;
const TOKEN_BYTE = 6;

const UNK_ID = 0;
const BOS_ID = 1;
const EOS_ID = 2;

// Head and feed-forward sizes are free in llama.cpp (attention.key_length); their weights are zero anyway.
const HEAD_DIM = 32;
const FFN_DIM = 32;
const RMS_EPS = 1e-5;
// F16, not Q8_0: llama.cpp repacks Q8_0 weights for AMX on CPUs that report it, and that
// code died with SIGILL on a machine whose CPU reports AMX.
const LLAMA_FTYPE_MOSTLY_F16 = 1;

/**
 * Texts llama.cpp turns into control tokens when it sees them in a vocabulary (its
 * end-of-turn auto-detection), which would end a script early: no piece may be a single
 * bracketed tag such as "<|im_end|>" or "[EOT]".
 */
function looksLikeSpecialToken(piece: string): boolean {
    return /^<[^<>]*>$/u.test(piece) || /^\[[^[\]]*\]$/u.test(piece) || piece === "_<EOT>" || piece === "[e~[";
}

function baseVocabulary(chat: boolean): { texts: string[]; types: number[] } {
    const texts = ["<unk>", "<s>", "</s>"];
    const types = [TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_CONTROL];
    for (let byte = 0; byte < 256; byte++) {
        texts.push(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
        types.push(TOKEN_BYTE);
    }
    texts.push(SPM_SPACE);
    types.push(TOKEN_NORMAL);
    for (let code = 0x21; code <= 0x7e; code++) {
        texts.push(String.fromCharCode(code));
        types.push(TOKEN_NORMAL);
    }
    if (chat) {
        texts.push("<|im_start|>", "<|im_end|>");
        types.push(TOKEN_CONTROL, TOKEN_CONTROL);
    }
    return { texts, types };
}

/** The token a prompt ending in `char` ends with. */
function triggerPiece(char: string): string {
    if (char.length !== 1 || char.charCodeAt(0) > 0x7f)
        throw new Error(`a trigger must be one ASCII character, got ${JSON.stringify(char)}`);
    const code = char.charCodeAt(0);
    if (char === " ")
        return SPM_SPACE;
    if (code >= 0x21 && code <= 0x7e)
        return char;
    return `<0x${code.toString(16).toUpperCase().padStart(2, "0")}>`;
}

/** Cut positions tried before a script is declared too repetitive to cut. */
const CUT_SEARCH_BUDGET = 1_000_000;

/**
 * Cuts `text` into pieces of 3 to 12 characters that are not in `taken`, adding them to it.
 * A depth-first search: a script that repeats itself can need other cuts earlier on for
 * its later repetitions to find unused pieces.
 */
function cutIntoPieces(name: string, text: string, taken: Set<string>): string[] {
    if (text.includes(SPM_SPACE))
        throw new Error(`script ${name}: "${SPM_SPACE}" (U+2581) cannot be said, it is the tokenizer's space marker`);
    const chars = Array.from(text.replaceAll(" ", SPM_SPACE));
    if (chars.length === 0)
        return [];
    if (chars.length < MIN_PIECE_CHARS)
        throw new Error(`script ${name}: a script needs at least ${MIN_PIECE_CHARS} characters (or none), got ${JSON.stringify(text)}`);

    const candidatesAt = (at: number): string[] => {
        const left = chars.length - at;
        const candidates: string[] = [];
        for (const length of left <= MAX_PIECE_CHARS ? [left, ...PIECE_LENGTHS] : PIECE_LENGTHS) {
            // The rest must still be long enough to form a piece of its own.
            const rest = left - length;
            if (length > left || (rest > 0 && rest < MIN_PIECE_CHARS))
                continue;
            const piece = chars.slice(at, at + length).join("");
            if (!taken.has(piece) && !looksLikeSpecialToken(piece) && !candidates.includes(piece))
                candidates.push(piece);
        }
        return candidates;
    };
    type Frame = { at: number; candidates: string[]; tried: number; chosen?: string };
    const frames: Frame[] = [{ at: 0, candidates: candidatesAt(0), tried: 0 }];
    let furthest = 0;
    for (let steps = 0; ; steps++) {
        const top = frames.at(-1);
        if (top == null || steps > CUT_SEARCH_BUDGET)
            throw new Error(`script ${name}: no cut into unused pieces of ${MIN_PIECE_CHARS}-${MAX_PIECE_CHARS} characters found ` +
                `(stuck at ${JSON.stringify(chars.slice(furthest, furthest + MAX_PIECE_CHARS).join(""))}); the scripts repeat themselves too much`);
        if (top.chosen != null) {
            taken.delete(top.chosen);
            top.chosen = undefined;
        }
        const piece = top.candidates[top.tried++];
        if (piece == null) {
            frames.pop();
            continue;
        }
        taken.add(piece);
        top.chosen = piece;
        const next = top.at + Array.from(piece).length;
        if (next === chars.length)
            return frames.map((frame) => frame.chosen!);
        furthest = Math.max(furthest, next);
        frames.push({ at: next, candidates: candidatesAt(next), tried: 0 });
    }
}

type ScriptStart = { name: string; after: string | null; text: string };

/**
 * The Markov chain the model encodes: each token's state (the embedding dimension it sets)
 * and each state's successor token. Script pieces are appended to the vocabulary.
 */
type ScriptedChain = {
    vocabulary: string[];
    types: number[];
    stateOfToken: number[];
    nextOfState: number[];
    scripts: WrittenScript[];
};

export function writeScriptedModel(file: string, spec: ScriptedModelSpec): ScriptedModel {
    const contextLength = spec.contextLength ?? 4096;
    if (!Number.isInteger(contextLength) || contextLength < 1)
        throw new Error(`contextLength must be a positive integer, got ${contextLength}`);
    const chain = planChain(scriptStarts(spec), spec.chat ?? false);
    const embd = chain.nextOfState.length;
    const w = new GgufWriter();
    setMetadata(w, spec, chain, contextLength);
    addTensors(w, chain, spec.logitGap ?? 40);
    const { bytes, sha256 } = w.write(file);
    const { vocabulary, scripts } = chain;
    return {
        file, bytes, sha256, vocabulary, embeddingLength: embd, eosTokenId: EOS_ID,
        initial: scripts[0]!,
        edit: scripts.find((script) => script.name === "edit"),
        scripts
    };
}

/** Start classes: the default script first, then one per trigger character. */
function scriptStarts(spec: ScriptedModelSpec): ScriptStart[] {
    const starts: ScriptStart[] = [{ name: "initial", after: null, text: spec.initial }];
    if (spec.edit != null)
        starts.push({ name: "edit", after: "\n", text: spec.edit });
    for (const trigger of spec.triggers ?? [])
        starts.push({ name: `after:${JSON.stringify(trigger.after)}`, after: trigger.after, text: trigger.script });
    const afterSeen = new Set<string>();
    for (const start of starts) {
        if (start.after == null)
            continue;
        triggerPiece(start.after); // validates
        if (afterSeen.has(start.after))
            throw new Error(`two scripts start after ${JSON.stringify(start.after)}`);
        afterSeen.add(start.after);
    }
    return starts;
}

/** States: one start state per script, then one per script piece. */
function planChain(starts: readonly ScriptStart[], chat: boolean): ScriptedChain {
    const { texts: vocabulary, types } = baseVocabulary(chat);
    const taken = new Set(vocabulary);
    const cut = starts.map((start) => cutIntoPieces(start.name, start.text, taken));

    const stateOfToken = new Array<number>(vocabulary.length).fill(0);
    for (const [index, start] of starts.entries())
        if (start.after != null)
            stateOfToken[vocabulary.indexOf(triggerPiece(start.after))] = index;
    // State of piece `at` of script `index`: after all start states and the earlier scripts' pieces.
    const firstPieceState: number[] = [];
    let stateCount = starts.length;
    for (const pieces of cut) {
        firstPieceState.push(stateCount);
        stateCount += pieces.length;
    }
    const nextOfState = new Array<number>(stateCount);
    const scripts: WrittenScript[] = starts.map((start, index) => {
        const pieces = cut[index]!;
        const tokenIds = pieces.map((piece, at) => {
            vocabulary.push(piece);
            types.push(TOKEN_NORMAL);
            stateOfToken.push(firstPieceState[index]! + at);
            return (vocabulary.length - 1) as Token;
        });
        // The start state leads to the first piece, each piece to the next, the last to EOS.
        const chain: number[] = [...tokenIds, EOS_ID];
        nextOfState[index] = chain[0]!;
        for (let at = 0; at < tokenIds.length; at++)
            nextOfState[firstPieceState[index]! + at] = chain[at + 1]!;
        return {
            name: start.name,
            after: start.after,
            text: start.text,
            pieces,
            pieceTexts: pieces.map((piece) => piece.replaceAll(SPM_SPACE, " ")),
            tokenIds
        };
    });
    return { vocabulary, types, stateOfToken, nextOfState, scripts };
}

function setMetadata(w: GgufWriter, spec: ScriptedModelSpec, { vocabulary, types, nextOfState }: ScriptedChain, contextLength: number): void {
    w.set("general.architecture", gguf.str("llama"));
    w.set("general.type", gguf.str("model"));
    w.set("general.name", gguf.str(spec.name ?? "scripted test model"));
    w.set("general.description", gguf.str("TEST MODEL with hand-set weights: it says fixed scripts chosen by the prompt's last token " +
        "(written by reer scripts/scripted-model/writeScriptedModel.ts)."));
    w.set("general.file_type", gguf.u32(LLAMA_FTYPE_MOSTLY_F16));
    w.set("llama.block_count", gguf.u32(1));
    w.set("llama.context_length", gguf.u32(contextLength));
    w.set("llama.embedding_length", gguf.u32(nextOfState.length));
    w.set("llama.feed_forward_length", gguf.u32(FFN_DIM));
    w.set("llama.attention.head_count", gguf.u32(1));
    w.set("llama.attention.head_count_kv", gguf.u32(1));
    w.set("llama.attention.key_length", gguf.u32(HEAD_DIM));
    w.set("llama.attention.value_length", gguf.u32(HEAD_DIM));
    w.set("llama.rope.dimension_count", gguf.u32(HEAD_DIM));
    w.set("llama.attention.layer_norm_rms_epsilon", gguf.f32(RMS_EPS));
    w.set("llama.vocab_size", gguf.u32(vocabulary.length));
    w.set("tokenizer.ggml.model", gguf.str("llama"));
    w.set("tokenizer.ggml.tokens", gguf.array(GgufValueType.STRING, vocabulary));
    w.set("tokenizer.ggml.scores", gguf.array(GgufValueType.FLOAT32, vocabulary.map(() => 0)));
    w.set("tokenizer.ggml.token_type", gguf.array(GgufValueType.INT32, types));
    w.set("tokenizer.ggml.unknown_token_id", gguf.u32(UNK_ID));
    w.set("tokenizer.ggml.bos_token_id", gguf.u32(BOS_ID));
    w.set("tokenizer.ggml.eos_token_id", gguf.u32(EOS_ID));
    w.set("tokenizer.ggml.add_bos_token", gguf.bool(true));
    w.set("tokenizer.ggml.add_eos_token", gguf.bool(false));
    w.set("tokenizer.ggml.add_space_prefix", gguf.bool(spec.addSpacePrefix ?? false));
    if (spec.chat ?? false)
        w.set("tokenizer.chat_template", gguf.str(SCRIPTED_CHAT_TEMPLATE));
}

function addTensors(w: GgufWriter, { vocabulary, stateOfToken, nextOfState }: ScriptedChain, logitGap: number): void {
    const embd = nextOfState.length;
    const vocabSize = vocabulary.length;
    // RMSNorm maps a one-hot 1 to 1 / sqrt(1/embd + eps); the output weight undoes that scale.
    const normalised = 1 / Math.sqrt(1 / embd + RMS_EPS);
    const outputWeight = logitGap / normalised;
    const matrix = (name: string, rowLength: number, rows: number, fill?: (data: Float32Array) => void): GgufTensorSpec => ({
        name, dims: [rowLength, rows], type: GgmlType.F16,
        data: function* () {
            const data = new Float32Array(rowLength * rows);
            fill?.(data);
            yield data;
        }
    });
    const ones = (name: string): GgufTensorSpec => ({
        name, dims: [embd], type: GgmlType.F32, data: function* () { yield new Float32Array(embd).fill(1); }
    });
    // Row t of token_embd is token t's embedding; row t of output holds token t's logit weights.
    w.addTensor(matrix("token_embd.weight", embd, vocabSize, (data) => {
        stateOfToken.forEach((state, token) => { data[token * embd + state] = 1; });
    }));
    w.addTensor(ones("output_norm.weight"));
    w.addTensor(matrix("output.weight", embd, vocabSize, (data) => {
        nextOfState.forEach((token, state) => { data[token * embd + state] = outputWeight; });
    }));
    w.addTensor(ones("blk.0.attn_norm.weight"));
    w.addTensor(matrix("blk.0.attn_q.weight", embd, HEAD_DIM));
    w.addTensor(matrix("blk.0.attn_k.weight", embd, HEAD_DIM));
    w.addTensor(matrix("blk.0.attn_v.weight", embd, HEAD_DIM));
    w.addTensor(matrix("blk.0.attn_output.weight", HEAD_DIM, embd));
    w.addTensor(ones("blk.0.ffn_norm.weight"));
    w.addTensor(matrix("blk.0.ffn_gate.weight", embd, FFN_DIM));
    w.addTensor(matrix("blk.0.ffn_up.weight", embd, FFN_DIM));
    w.addTensor(matrix("blk.0.ffn_down.weight", FFN_DIM, embd));
}
