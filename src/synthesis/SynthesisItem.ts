import { createHash } from "node:crypto";
import { answerAfterThinking } from "../text/answerAfterThinking.js";

/** One input record as `reer synthesize` reads it. */
export type SynthesisInput = { line: number; id?: string; prompt: string; response: string };

/** One (x, y) pair to search a trajectory for. */
export type SynthesisItem = {
    id: string;
    /** Resume key: the id when there is one, else a hash of x and the response. */
    key: string;
    line: number;
    x: string;
    /** The answer scored: the response, or its text after the last "</think>". */
    y: string;
    /** Characters of thinking cut from the front of the response (0: none). */
    thinkingStrippedChars: number;
};

/** The resume key: the id when there is one, else a hash of x and y. */
export function itemKey(input: SynthesisInput): string {
    if (input.id != null)
        return input.id;
    return "sha256:" + createHash("sha256").update(input.prompt).update("\u0000").update(input.response).digest("hex").slice(0, 24);
}

/** The item of an input record; `answerAfterThink` takes y after the response's last "</think>". */
export function toSynthesisItem(input: SynthesisInput, answerAfterThink: boolean): SynthesisItem {
    const key = itemKey(input);
    const answer = answerAfterThink ? answerAfterThinking(input.response) : undefined;
    return {
        id: input.id ?? key,
        key,
        line: input.line,
        x: input.prompt,
        y: answer?.thinkingStripped === true ? answer.answer : input.response,
        thinkingStrippedChars: answer?.thinkingStripped === true ? answer.strippedChars : 0
    };
}
