import { LlamaVocabularyType, type LlamaModel } from "node-llama-cpp";
import { UnencodableTextError } from "../errors/inputErrors.js";

const SPM_SPACE = "\u2581";
const GGUF_TOKEN_TYPE_CONTROL = 3;
const GGUF_TOKEN_TYPE_USER_DEFINED = 4;

/**
 * llama.cpp's SentencePiece tokenizer falls back to byte tokens for characters it
 * lacks, and throws an uncatchable C++ exception (aborting the whole process) when a
 * vocabulary has no byte tokens either. This guard predicts that case from the vocabulary
 * so the text can be refused with an ordinary error first. Other tokenizer types
 * (byte-level BPE and the rest) never abort on input characters, so they pass through.
 */
export class VocabularyGuard {
    private readonly vocabulary: Set<string> | undefined;
    private readonly verdicts = new Map<string, boolean>();
    /** Control and user-defined token texts, longest first: markup may contain them verbatim. */
    private readonly specialTexts: string[];

    public constructor(private readonly model: LlamaModel, private readonly modelName: string) {
        const tokens = model.fileInfo.metadata?.tokenizer?.ggml?.tokens;
        this.vocabulary = model.vocabularyType === LlamaVocabularyType.spm && Array.isArray(tokens)
            ? new Set(tokens as readonly string[])
            : undefined;
        const types = model.fileInfo.metadata?.tokenizer?.ggml?.token_type;
        this.specialTexts = this.vocabulary == null || !Array.isArray(tokens) || !Array.isArray(types)
            ? []
            : (tokens as readonly string[])
                .filter((token, index) => types[index] === GGUF_TOKEN_TYPE_CONTROL || types[index] === GGUF_TOKEN_TYPE_USER_DEFINED)
                .filter((token) => token !== "")
                .sort((a, b) => b.length - a.length);
    }

    /** Like assertEncodable, for text tokenised with special-token parsing on. */
    public assertMarkupEncodable(text: string, what: string): void {
        let plain = text;
        for (const special of this.specialTexts)
            plain = plain.split(special).join("");
        this.assertEncodable(plain, what);
    }

    /** True when every input character is encodable; only SentencePiece vocabularies can say no. */
    public get checksCharacters(): boolean {
        return this.vocabulary != null;
    }

    /** Distinct characters of `text` that the vocabulary cannot encode, in order of appearance. */
    public findUnencodable(text: string): string[] {
        if (this.vocabulary == null)
            return [];
        const missing: string[] = [];
        for (const char of text) {
            let ok = this.verdicts.get(char);
            if (ok == null) {
                ok = this.isEncodable(this.vocabulary, char);
                this.verdicts.set(char, ok);
            }
            if (!ok && !missing.includes(char))
                missing.push(char);
        }
        return missing;
    }

    /** Throws a clear error naming the characters instead of letting llama.cpp abort. */
    public assertEncodable(text: string, what: string): void {
        const missing = this.findUnencodable(text);
        if (missing.length > 0)
            throw new UnencodableTextError(what, missing, this.modelName);
    }

    private isEncodable(vocabulary: Set<string>, char: string): boolean {
        if (vocabulary.has(char === " " ? SPM_SPACE : char))
            return true;
        // Byte fallback: every UTF-8 byte needs a <0xXX> token (or, for ASCII, the byte as a one-character token).
        for (const byte of Buffer.from(char, "utf8")) {
            const byteToken = `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
            if (!vocabulary.has(byteToken) && !(byte < 0x80 && vocabulary.has(String.fromCharCode(byte))))
                return false;
        }
        return true;
    }
}
