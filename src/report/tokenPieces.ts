import type { Token } from "node-llama-cpp";

/** The visible text of tokens [from, to): usually one token, more when one character spans several. */
export type TokenPiece = { text: string; from: number; to: number };

export type Detokenize = (tokens: Token[], lastTokens: Token[]) => string;

/** Enough preceding tokens for a detokenizer to place spaces and byte sequences right. */
const LEAD_TOKENS = 8;

/**
 * Cuts a token sequence into displayable pieces. Each token is decoded after the tokens
 * before it (a SentencePiece token decoded alone loses its leading space), and a token
 * that ends inside a multi-byte character (decoded as U+FFFD) is joined with the tokens
 * that complete it, so no piece shows a broken character. `lead` is the context just
 * before the first token.
 */
export function tokenPieces(tokens: readonly Token[], detokenize: Detokenize, lead: readonly Token[] = []): TokenPiece[] {
    const pieces: TokenPiece[] = [];
    const all = [...lead, ...tokens];
    let from = 0;
    for (let to = 1; to <= tokens.length; to++) {
        const start = lead.length + from;
        const text = detokenize(all.slice(start, lead.length + to), all.slice(Math.max(0, start - LEAD_TOKENS), start));
        // A UTF-8 character has at most 4 bytes, so a longer run is really invalid text.
        if (text.endsWith("\uFFFD") && to < tokens.length && to - from < 4)
            continue;
        pieces.push({ text, from, to });
        from = to;
    }
    return pieces;
}
