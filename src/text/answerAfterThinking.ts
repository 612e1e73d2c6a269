/**
 * The answer y inside a response made by a reasoning model (method.md section 3): when
 * the response holds "</think>", y is only the text after its LAST "</think>", as in the
 * reference. The last one, because a model may write the tag inside its thinking (or
 * think twice), and whatever comes after the final close is what it answered.
 *
 * - Leading whitespace of the answer is removed (the newlines that follow "</think>"),
 *   as the reference strips them; trailing whitespace is kept, because a response with
 *   no "</think>" is used as y untouched and both cases should give y the same ending.
 * - "</think>" with nothing but whitespace after it gives answer "": the response had no
 *   answer, which the caller must treat as an input error (it is returned, not thrown,
 *   so the caller can record a reason).
 * - "<think>" without any "</think>" (a cut-off thought, or a response that only
 *   mentions the tag) leaves the response unchanged: there is no end of thinking to
 *   cut at, and guessing one could drop real answer text.
 * - A "</think>" without "<think>" is still cut at: chat templates often put the
 *   opening tag in the prompt, so the response holds only the closing one.
 */
export type AnswerAfterThinking = {
    /** y: the response itself, or the text after its last "</think>" without leading whitespace. */
    answer: string;
    /** Whether a "</think>" was found and everything up to it removed. */
    thinkingStripped: boolean;
    /** Code points removed from the front of the response (0 when nothing was stripped). */
    strippedChars: number;
};

const THINK_CLOSE = "</think>";

export function answerAfterThinking(response: string): AnswerAfterThinking {
    const close = response.lastIndexOf(THINK_CLOSE);
    if (close < 0)
        return { answer: response, thinkingStripped: false, strippedChars: 0 };
    const answer = response.slice(close + THINK_CLOSE.length).replace(/^\s+/u, "");
    const removed = response.slice(0, response.length - answer.length);
    return { answer, thinkingStripped: true, strippedChars: [...removed].length };
}
